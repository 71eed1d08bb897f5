/* SPDX-License-Identifier: ISC */
/*
 * spin.h: polling instead of sleeping for a short while after a read was
 * answered or while a single write is in flight (edges layer).  See
 * spin.c.
 */
#ifndef ZK_SPIN_H
#define ZK_SPIN_H

#include <stdint.h>

void	 spin_set(int64_t);
void	 spin_note(void);
int	 spin_polling(void);

#endif
