#pragma once
// sofia-sip's C headers, included in one place. Its tag macros expand to C-style casts inside
// our code, which our warning set rejects; they are sofia's idiom, so the warning is off here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>
#pragma GCC diagnostic pop
