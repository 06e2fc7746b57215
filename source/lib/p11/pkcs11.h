/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PKCS#11 definitions, from p11-kit's header (libp11-kit-dev), in one
 * place so that every file of p11/ sees the same ones.
 */
#ifndef CREDROAM_P11_PKCS11_H
#define CREDROAM_P11_PKCS11_H

#define P11_KIT_FUTURE_UNSTABLE_API 1
#include <p11-kit/pkcs11.h>

#endif
