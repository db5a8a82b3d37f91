#include "common/metatypes.h"

#include <quicpool/connectioninfo.h>
#include <quicpool/error.h>
#include <QtCore/QMetaType>

namespace quicpool {

void registerMetaTypes()
{
    // A function-local static runs once even with concurrent callers.
    static const bool registered = [] {
        qRegisterMetaType<quicpool::Error>("quicpool::Error");
        qRegisterMetaType<quicpool::ErrorCode>("quicpool::ErrorCode");
        qRegisterMetaType<quicpool::DefenceStats>("quicpool::DefenceStats");
        return true;
    }();
    Q_UNUSED(registered);
}

} // namespace quicpool
