/*
 * mhd.h - libmicrohttpd, loaded when `watch --metrics` first needs it.
 *
 * Linking it would load it, and GnuTLS behind it, into every run of
 * ktriage, scans included, for a feature only the daemon uses; loading
 * it on demand keeps the other commands small.  Uses the library's own
 * header for its types; the functions come through this table.
 */
#ifndef KT_MHD_H
#define KT_MHD_H

#include "base/compat.h"
#include "base/err.h"
#include <microhttpd.h>

struct kt_mhd {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
					   MHD_AcceptPolicyCallback apc,
					   void *apc_cls,
					   MHD_AccessHandlerCallback dh,
					   void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *d);
	struct MHD_Response *(*create_response_from_buffer)(
		size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r,
					       const char *header,
					       const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c,
					  unsigned int status,
					  struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
};

/* Loads the library and fills m; KT_ERR_NOTFOUND when it is missing. */
int kt_mhd_open(struct kt_ctx *ctx, struct kt_mhd *m);

#endif
