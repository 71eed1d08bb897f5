/* SPDX-License-Identifier: ISC */
/*
 * demo.h: the text of launcher/demo.sh, built into zkensemble (the
 * generated demo_sh.c) for `zkensemble demo`.
 */
#ifndef ZKE_DEMO_H
#define ZKE_DEMO_H

extern const char demo_sh[];

#endif
