/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: no interrupts to leave disabled. */
#ifndef _TOOLS_LINUX_IRQFLAGS_H
#define _TOOLS_LINUX_IRQFLAGS_H
#define irqs_disabled()		0
#define local_irq_enable()	do { } while (0)
#endif
