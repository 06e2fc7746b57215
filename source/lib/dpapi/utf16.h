/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The DPAPI code's UTF-16 converters are the library's (utf16.h); this
 * header stays so existing includes of "dpapi/utf16.h" keep working.
 */
#ifndef CREDROAM_DPAPI_UTF16_H
#define CREDROAM_DPAPI_UTF16_H

#include "util/utf16.h"

#endif
