/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The dpapi code's talloc_stackframe() (Samba's, see util/stackframe.h)
 * and the error convention (util/error.h).
 */
#ifndef CREDROAM_DPAPI_STACKFRAME_H
#define CREDROAM_DPAPI_STACKFRAME_H

#include <errno.h>
#include <talloc.h>

#include "util/error.h"
#include "util/stackframe.h"

#endif
