# SPDX-License-Identifier: ISC

dist_man_MANS += man/zkd.8 man/zkd.conf.5 man/zkensemble.1 \
	man/zkensemble.conf.5

exampledir = $(docdir)/examples
dist_example_DATA = etc/zkd.conf etc/zoo.cfg etc/zkensemble.conf
