# SPDX-License-Identifier: ISC
#
# zkensemble: the launcher (supervisor, control socket, ctl commands).

bin_PROGRAMS += zkensemble
zkensemble_SOURCES = launcher/zkensemble.c \
	launcher/sup.c launcher/sup.h \
	launcher/control.c launcher/control.h \
	launcher/inst.c launcher/inst.h \
	launcher/cond.c launcher/cond.h \
	launcher/elect.c launcher/elect.h \
	launcher/faults.c launcher/faults.h \
	launcher/timeline.c launcher/timeline.h \
	launcher/upconf.c launcher/upconf.h \
	launcher/demo.h
nodist_zkensemble_SOURCES = launcher/demo_sh.c
BUILT_SOURCES += launcher/demo_sh.c
CLEANFILES += launcher/demo_sh.c
EXTRA_DIST += launcher/demo.sh launcher/demo_sh.awk

# demo.sh becomes a C string: each line quoted, backslashes and quotes
# escaped.
launcher/demo_sh.c: launcher/demo.sh launcher/demo_sh.awk
	@$(MKDIR_P) launcher
	$(AM_V_GEN)$(AWK) -f $(srcdir)/launcher/demo_sh.awk \
	    $(srcdir)/launcher/demo.sh > $@.tmp && mv $@.tmp $@
zkensemble_CFLAGS = $(src_libzk_a_CFLAGS) \
	-DZKENSEMBLE_SBINDIR='"$(sbindir)"'
zkensemble_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/launcher
zkensemble_LDADD = $(ZK_LIBS)

if HAVE_CMOCKA
check_PROGRAMS += test/unit/test_launcher
TESTS += test/unit/test_launcher
test_unit_test_launcher_SOURCES = test/unit/test_launcher.c \
	launcher/inst.c launcher/cond.c launcher/faults.c \
	launcher/timeline.c launcher/upconf.c
test_unit_test_launcher_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_launcher_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/launcher
test_unit_test_launcher_LDADD = $(UNIT_LDADD)
endif
