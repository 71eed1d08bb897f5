/* SPDX-License-Identifier: ISC */
/*
 * net.c: the client port's listening socket (edges layer).
 *
 * With no clientPortAddress the port is bound on every address, IPv6 and
 * IPv4 alike (a dual-stack socket, as the JVM binds), so "localhost"
 * reaches it whichever family the client resolves first.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "log.h"
#include "xmalloc.h"
#include "zkd.h"

static void
net_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)l;
	(void)arg;
	conn_accept(fd, sa, salen);
}

static void
net_error_cb(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	/* EMFILE and friends: log and keep listening. */
	log_warn("accept");
}

static int
net_bind(const struct sockaddr *sa, socklen_t len, int backlog)
{
	int	 fd, one = 1, zero = 0, saved;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, sa, len) == -1 || listen(fd, backlog) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * Listens on addr (NULL or "" for every address) and port.  Returns 0, or
 * -1 with *cause naming the port and what went wrong.
 */
int
net_listen(const char *addr, int port, int backlog, char **cause)
{
	struct addrinfo		 hints, *res = NULL;
	struct sockaddr_in6	 any6;
	struct sockaddr_in	 any4;
	char			 portstr[16];
	int			 fd = -1, rv;

	if (backlog <= 0)
		backlog = 128;
	if (addr == NULL || *addr == '\0') {
		memset(&any6, 0, sizeof(any6));
		any6.sin6_family = AF_INET6;
		any6.sin6_addr = in6addr_any;
		any6.sin6_port = htons((uint16_t)port);
		fd = net_bind((struct sockaddr *)&any6, sizeof(any6), backlog);
		if (fd == -1 && errno != EADDRINUSE) {
			memset(&any4, 0, sizeof(any4));
			any4.sin_family = AF_INET;
			any4.sin_addr.s_addr = htonl(INADDR_ANY);
			any4.sin_port = htons((uint16_t)port);
			fd = net_bind((struct sockaddr *)&any4, sizeof(any4),
			    backlog);
		}
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
		snprintf(portstr, sizeof(portstr), "%d", port);
		if ((rv = getaddrinfo(addr, portstr, &hints, &res)) != 0) {
			xasprintf(cause, "client address %s: %s", addr,
			    gai_strerror(rv));
			return -1;
		}
		fd = net_bind(res->ai_addr, res->ai_addrlen, backlog);
		freeaddrinfo(res);
	}
	if (fd == -1) {
		if (errno == EADDRINUSE)
			xasprintf(cause, "client port %d is already in use "
			    "(another server on it? set clientPort to a free "
			    "port)", port);
		else
			xasprintf(cause, "client port %d: %s", port,
			    strerror(errno));
		return -1;
	}
	zkd->listener = evconnlistener_new(zkd->base, net_accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (zkd->listener == NULL) {
		close(fd);
		xasprintf(cause, "client port %d: cannot listen", port);
		return -1;
	}
	evconnlistener_set_error_cb(zkd->listener, net_error_cb);
	return 0;
}
