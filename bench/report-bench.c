/*
 * report-bench.c - how long the report takes over a million events, and
 * how much memory.
 *
 * Makes N events in memory (default 1 000 000: OOM kills, oopses, hung
 * tasks, panics with their causes and the crash reboots after them, I/O
 * and file-system errors, segfaults, warnings; 200 hosts over 30 days,
 * pids, addresses and times varying so that repeats share fingerprints
 * the way real ones do), feeds them to the digest one at a time as the
 * pipeline would, then builds the report model and renders it as text,
 * Markdown and JSON.  Prints the time of each step, the total and the
 * peak RSS, and PASS or FAIL against the targets (2 s, 64 MB).  Scanning
 * is not part of it: `bench/run.sh` measures that.
 *
 *   report-bench [--events N] [--strict]
 */
#include "base/compat.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "analyze/digest.h"
#include "output/kb.h"
#include "output/report.h"
#include <sys/resource.h>
#include <time.h>

#define HOSTS 200
#define DAYS 30
#define TARGET_SECS 2.0
#define TARGET_MB 64.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss * 1024 / 1e6;
}

/* xorshift: the same events every run */
static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

struct kind {
	const char *type, *subtype, *title;
	enum kt_severity sev;
	const char *comm, *func, *module, *device;
};

static const struct kind kinds[] = {
	{ "oom", "oom_kill", "Out of memory: Killed process %u (java)",
	  KT_SEV_MAJOR, "java", NULL, NULL, NULL },
	{ "oom", "cgroup_oom",
	  "Memory cgroup out of memory: Killed process %u (python3)",
	  KT_SEV_MAJOR, "python3", NULL, NULL, NULL },
	{ "oops", "null_deref", "BUG: unable to handle kernel NULL pointer "
	  "dereference in tcp_sendmsg_locked", KT_SEV_MAJOR, "nginx",
	  "tcp_sendmsg_locked", NULL, NULL },
	{ "oops", "gpf", "general protection fault in lustre_msg_buf",
	  KT_SEV_MAJOR, "ll_ost00_012", "lustre_msg_buf", "ptlrpc", NULL },
	{ "deadlock", "hung_task", "INFO: task hung in jbd2_log_wait_commit",
	  KT_SEV_MAJOR, "mysqld", "jbd2_log_wait_commit", NULL, NULL },
	{ "deadlock", "soft_lockup", "BUG: soft lockup in smp_call_function",
	  KT_SEV_MAJOR, "qemu-kvm", "smp_call_function", NULL, NULL },
	{ "io_error", "medium_error", "I/O error on sdb (read)",
	  KT_SEV_MAJOR, NULL, NULL, NULL, "sdb" },
	{ "fs_error", "ext4_error", "EXT4-fs error (device sdb1) in "
	  "ext4_find_entry", KT_SEV_CRITICAL, NULL, NULL, NULL, "sdb1" },
	{ "segfault", "segfault", "segfault in worker (libc.so.6)",
	  KT_SEV_MAJOR, "worker", NULL, NULL, NULL },
	{ "warning", "warn", "WARNING in dev_watchdog", KT_SEV_MINOR,
	  "swapper/3", "dev_watchdog", NULL, NULL },
	{ "hardware", "mce", "Machine check: corrected memory error",
	  KT_SEV_MINOR, NULL, NULL, NULL, NULL },
};

static struct kt_event *make(const char *type, const char *subtype,
			     const char *title, enum kt_severity sev,
			     unsigned host, int64_t us, uint64_t n)
{
	struct kt_event *ev = xcalloc(1, sizeof(*ev));
	struct strbuf sb = STRBUF_INIT;

	snprintf(ev->id, sizeof(ev->id), "%016llx",
		 (unsigned long long)(n * 0x9e3779b97f4a7c15ULL | 1));
	ev->type = type;
	ev->subtype = subtype;
	ev->severity = sev;
	ev->title = xstrdup(title);
	/* the fingerprint ignores the numbers, as the real one does */
	snprintf(ev->fingerprint, sizeof(ev->fingerprint), "%016llx",
		 (unsigned long long)(kt_hash_str(KT_HASH_INIT, subtype) ^
				      kt_hash_str(KT_HASH_INIT, type)));
	ev->wall_us = us;
	ev->mono_us = -1;
	strbuf_addf(&sb, "node%03u", host);
	ev->host = strbuf_detach(&sb, NULL);
	ev->file = "/var/log/messages";
	ev->line = n * 20 + 1;
	ev->line_end = n * 20 + 18;
	ev->message = xstrdup(title);
	ev->pid = (int64_t)(rnd() % 4000000);
	ev->fields = json_object();
	return ev;
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000, i, made = 0;
	struct kt_digest *d = kt_digest_new();
	struct kt_ctx ctx;
	struct kt_kb kb;
	struct kt_report_opts ro;
	struct strbuf out = STRBUF_INIT;
	const char *inputs[] = { "/var/log/messages" };
	double t0, t1, t2, t3, mb, dt, dsum = 0, total;
	json_t *digest, *model;
	bool strict = false, ok;
	char *s;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--events") && a + 1 < argc)
			n = strtoull(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--strict"))
			strict = true;
		else {
			fprintf(stderr,
				"usage: report-bench [--events N] [--strict]\n");
			return 2;
		}
	}
	kt_ctx_init(&ctx);
	kt_kb_init(&kb);
	if (kt_kb_load_default(&ctx, &kb)) {
		fprintf(stderr, "report-bench: %s\n", kt_ctx_error(&ctx));
		return 2;
	}

	t0 = now();
	for (i = 0; made < n; i++) {
		const struct kind *k = &kinds[rnd() % KT_ARRAY_SIZE(kinds)];
		unsigned host = (unsigned)(rnd() % HOSTS);
		int64_t us = 1700000000LL * 1000000 +
			     (int64_t)(i * (DAYS * 86400ULL * 1000000 / n));
		char title[256];
		struct kt_event *ev;

		snprintf(title, sizeof(title), k->title,
			 (unsigned)(rnd() % 100000));
		ev = make(k->type, k->subtype, title, k->sev, host, us, made);
		if (k->comm)
			ev->comm = xstrdup(k->comm);
		if (k->func)
			kt_event_set_str(ev, "guilty_func", k->func);
		if (k->module)
			kt_event_set_str(ev, "guilty_module", k->module);
		if (k->device)
			kt_event_set_str(ev, "device", k->device);
		if (!strcmp(k->type, "oom")) {
			kt_event_set_str(ev, "victim_comm", k->comm);
			kt_event_set_int(ev, "anon_rss_kb",
					 (int64_t)(rnd() % 30000000));
			kt_event_set_int(ev, "total_swap_kb", 0);
		}
		dt = now();
		kt_digest_add(d, ev);
		dsum += now() - dt;
		made++;
		/* now and then a hung task or an OOM ends in a panic and a
		 * crash reboot: causal chains */
		if (made < n && !(rnd() % 50) &&
		    (!strcmp(k->subtype, "hung_task") ||
		     !strcmp(k->subtype, "oom_kill"))) {
			struct kt_event *p, *r;
			char cause[17];

			memcpy(cause, ev->id, sizeof(cause));
			p = make("panic", !strcmp(k->subtype, "hung_task") ?
				 "hung_task" : "oom",
				 !strcmp(k->subtype, "hung_task") ?
				 "kernel panic: hung_task: blocked tasks" :
				 "kernel panic: Out of memory: system-wide "
				 "panic_on_oom is enabled", KT_SEV_CRITICAL,
				 host, us + 1000, made);
			kt_event_set_str(p, "caused_by", cause);
			dt = now();
			kt_digest_add(d, p);
			dsum += now() - dt;
			made++;
			if (made < n) {
				r = make("reboot", "crash",
					 "reboot after kernel panic",
					 KT_SEV_CRITICAL, host, us + 60000000,
					 made);
				r->is_boot = true;
				r->boot = 1;
				kt_event_set_str(r, "kind", "crash");
				kt_event_set_str(r, "caused_by", p->id);
				dt = now();
				kt_digest_add(d, r);
				dsum += now() - dt;
				kt_event_free(r);
				made++;
			}
			kt_event_free(p);
		}
		kt_event_free(ev);
	}
	t1 = now();
	digest = kt_digest_json(d);
	memset(&ro, 0, sizeof(ro));
	ro.lang = KT_LANG_EN;
	ro.now_us = 1800000000LL * 1000000;
	ro.inputs = inputs;
	ro.nr_inputs = 1;
	ro.lines = n * 20;
	model = kt_report_build(&kb, digest, &ro);
	t2 = now();
	kt_report_text(&out, model, &kb, false);
	kt_report_markdown(&out, model, &kb);
	s = json_dumps(model, JSON_INDENT(1));
	strbuf_addstr(&out, s);
	free(s);
	t3 = now();
	mb = peak_mb();

	printf("== ktriage report benchmark ==\n");
	printf("events            %llu (%zu problems, %zu chains, %zu boots)\n",
	       (unsigned long long)made,
	       json_array_size(json_object_get(digest, "groups")),
	       json_array_size(json_object_get(digest, "chains")),
	       json_array_size(json_object_get(digest, "boot_list")));
	printf("making events     %.3f s  (not counted)\n", t1 - t0 - dsum);
	printf("digest            %.3f s  (%.2f us per event)\n", dsum,
	       dsum * 1e6 / (double)made);
	printf("model             %.3f s\n", t2 - t1);
	printf("render            %.3f s  (text, markdown, json: %zu bytes)\n",
	       t3 - t2, out.len);
	total = dsum + t3 - t1;
	printf("total             %.3f s\n", total);
	printf("peak RSS          %.1f MB\n", mb);
	ok = total < TARGET_SECS && mb < TARGET_MB;
	printf("targets\n");
	printf("  report over %llu events < %.0f s   %.3f s   %s\n",
	       (unsigned long long)made, TARGET_SECS, total,
	       total < TARGET_SECS ? "PASS" : "FAIL");
	printf("  peak RSS < %.0f MB                  %.1f MB   %s\n",
	       TARGET_MB, mb, mb < TARGET_MB ? "PASS" : "FAIL");
	printf("result: %s\n", ok ? "PASS" : "FAIL");

	json_decref(model);
	json_decref(digest);
	kt_digest_free(d);
	kt_kb_release(&kb);
	strbuf_release(&out);
	return strict && !ok ? 1 : 0;
}
