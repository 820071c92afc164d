/*
 * llmconf.h - the settings of `report --llm`: endpoint, model, request
 * options and the API key.
 *
 * Settings come, later overriding earlier, from /etc/ktriage/ktriage.conf,
 * $XDG_CONFIG_HOME/ktriage/ktriage.conf (~/.config/... when unset), or
 * instead of both one file named by the caller, and then from the
 * command line, which sets the fields directly.  Only the [llm] section
 * is read here; other sections are left to whoever owns them.  Keys and
 * values are in docs/LLM.md; an unknown key or a bad value is an error
 * naming the file, the line, the key and the value.
 *
 * The API key never comes from a file given on the command line nor
 * from the command line itself: kt_llmconf_load_key() takes it from the
 * environment (passed in by the caller) or from api_key_file, which must
 * not be readable by every user.  The key is never put in a message.
 */
#ifndef KT_LLMCONF_H
#define KT_LLMCONF_H

#include "base/compat.h"
#include "base/err.h"
#include "base/strbuf.h"

#define KT_LLMCONF_SYSTEM "/etc/ktriage/ktriage.conf"
#define KT_LLMCONF_KEY_MAX 1024

struct kt_llmconf {
	char *url;		/* owned; base URL, e.g. .../v1 */
	char *model;		/* owned */
	char *api_key_file;	/* owned; "~/" is the caller's home */
	double temperature;	/* sent only when has_temperature */
	bool has_temperature;
	uint64_t max_tokens;	/* of the answer */
	uint64_t timeout;	/* seconds, per attempt */
	uint64_t attempts;	/* tries on errors worth retrying */
	uint64_t max_prompt_tokens;	/* estimated, see llmprompt.h */
	bool stream;
	struct strbuf key;	/* owned; empty: no key; wiped on release */
};

/* The defaults: no url, no model, no key (see docs/LLM.md). */
void kt_llmconf_init(struct kt_llmconf *c);
void kt_llmconf_release(struct kt_llmconf *c);

/*
 * Applies the [llm] section of the file at path.  A missing file is
 * fine (returns 0) unless must_exist.
 */
int kt_llmconf_load_file(struct kt_ctx *ctx, struct kt_llmconf *c,
			 const char *path, bool must_exist);

/*
 * The system file, then the user's: $xdg_config_home/ktriage/ktriage.conf
 * or, when xdg_config_home is NULL or empty, $home/.config/ktriage/...
 * (none when home is NULL too).
 */
int kt_llmconf_load_default(struct kt_ctx *ctx, struct kt_llmconf *c,
			    const char *home, const char *xdg_config_home);

/* Applies one "key = value" of the [llm] section (name for errors). */
int kt_llmconf_set(struct kt_ctx *ctx, struct kt_llmconf *c,
		   const char *key, const char *value, const char *name);

/*
 * Fills c->key from env_key (the value of KTRIAGE_LLM_API_KEY, NULL or
 * empty when unset) or else from c->api_key_file, refusing a key file
 * that every user may read.  No key at all is fine: some servers
 * (Ollama) want none.  Then checks that url and model are set.
 */
int kt_llmconf_finish(struct kt_ctx *ctx, struct kt_llmconf *c,
		      const char *env_key, const char *home);

#endif
