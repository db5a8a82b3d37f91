#include "common/logging.h"

Q_LOGGING_CATEGORY(lcUdp, "quicpool.udp", QtWarningMsg)
Q_LOGGING_CATEGORY(lcConn, "quicpool.conn", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTls, "quicpool.tls", QtWarningMsg)
Q_LOGGING_CATEGORY(lcPool, "quicpool.pool", QtInfoMsg)
