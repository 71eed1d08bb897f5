# SPDX-License-Identifier: ISC
#
# demo_sh.awk: writes launcher/demo.sh as the C string demo_sh, a line
# at a time, character by character (no awk's gsub: its backslashes
# differ between awks).
BEGIN {
	bs = sprintf("%c", 92)
	q = sprintf("%c", 34)
	print "/* Generated from launcher/demo.sh by demo_sh.awk. */"
	print "#include " q "demo.h" q
	print "const char demo_sh[] ="
}
{
	out = ""
	for (i = 1; i <= length($0); i++) {
		c = substr($0, i, 1)
		if (c == bs || c == q)
			out = out bs c
		else if (c == "\t")
			out = out bs "t"
		else
			out = out c
	}
	print "    " q out bs "n" q
}
END {
	print "    " q q ";"
}
