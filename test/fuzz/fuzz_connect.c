/* SPDX-License-Identifier: ISC */
/*
 * fuzz_connect.c: the handshake.  An input is a ConnectRequest body as a
 * client sends it after the length prefix; when it decodes, the server's
 * answer is built as conn.c builds it (password derived from the session
 * id, readOnly byte only for clients that sent one) and its size checked.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jute.h"
#include "proto.h"
#include "util.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_connect	 c;
	struct jute_out		 o;
	uint8_t			 pw[SESSION_PASSWD_LEN];
	size_t			 at;
	int			 match;

	if (proto_decode_connect(data, size, &c) == -1)
		return 0;
	if (c.passwd_len > 0 && c.passwd == NULL)
		abort();
	if (c.passwd != NULL && (c.passwd < data || c.passwd +
	    c.passwd_len > data + size))
		abort();
	util_session_passwd(c.session_id, pw);
	match = c.passwd_len == SESSION_PASSWD_LEN &&
	    memcmp(c.passwd, pw, sizeof(pw)) == 0;
	jute_out_init(&o);
	at = jute_put_frame_start(&o);
	proto_put_connect_response(&o, c.timeout, match ? c.session_id : 0,
	    match ? pw : NULL, c.has_read_only);
	jute_put_frame_end(&o, at);
	if (o.len != (c.has_read_only ? 41u : 40u) ||
	    jute_be32(o.buf) != o.len - 4)
		abort();
	jute_out_free(&o);
	return 0;
}
