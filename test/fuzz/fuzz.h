/* SPDX-License-Identifier: ISC */
/*
 * fuzz.h: the libFuzzer entry points each test/fuzz/fuzz_*.c defines.  The
 * same file links either with libFuzzer (./configure --enable-fuzzing
 * CC=clang) or with replay.c, which runs every file of the target's corpus
 * once and prints TAP for make check.
 */
#ifndef ZK_FUZZ_H
#define ZK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	 LLVMFuzzerInitialize(int *, char ***);

#endif
