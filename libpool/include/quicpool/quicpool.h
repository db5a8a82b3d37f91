// Umbrella header: everything an application needs.
#pragma once

#include <quicpool/certificate.h>
#include <quicpool/config.h>
#include <quicpool/connectioninfo.h>
#include <quicpool/error.h>
#include <quicpool/global.h>
#include <quicpool/pool.h>
#include <quicpool/stream.h>
