/*
 * gen-log.c - deterministic generator of the scan benchmark's mixed log.
 * Writes exactly N bytes of RFC 3164 syslog from a few hosts: about 90% of
 * the bytes ordinary noise (sshd, systemd, cron, docker, kernel info lines),
 * about 10% multi-line kernel reports (OOM kills, oopses, WARNINGs, hung
 * tasks, lockups, RCU stalls, I/O and fs errors, segfaults, panics and the
 * reboots after them).  Standalone: plain C11 and libc, no project code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bump when the output for a given size and seed changes. */
#define GEN_FORMAT_VERSION 1

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(g, a) ((a)[rnd((g), ARRAY_SIZE(a))])

#define OUT_FLUSH_AT (4u << 20)
#define OUT_SLACK (1u << 20)	/* far more than any one line needs */

#define US_PER_SEC UINT64_C(1000000)
/* 2024-02-26 06:00:00 UTC: a week of log crosses the leap day. */
#define START_EPOCH UINT64_C(1708927200)
/* Mean gap between two noise lines of the whole log. */
#define NOISE_GAP_US 80000u
/* Reports are kept near 1 byte in 10: report bytes * 9 ~ noise bytes. */
#define NOISE_PER_REPORT 9u
#define REPORT_JITTER (96u << 10)

/* Bases of the address ranges that registers and frames point into. */
#define KTEXT UINT64_C(0xffffffff81000000)
#define KMODULES UINT64_C(0xffffffffc0000000)
#define KHEAP UINT64_C(0xffff888100000000)
#define KSTACK UINT64_C(0xffffc90000000000)
#define USTACK UINT64_C(0x00007ffc00000000)
#define UMMAP UINT64_C(0x00007f0000000000)

enum style {
	STYLE_OLD,	/* 4.4: [<address>] frames, "Kill process" */
	STYLE_V5,	/* 5.x: <TASK> frames, random end-trace ids */
	STYLE_V6,	/* 6.x: as 5.x, zero end-trace ids */
};

enum cat { CAT_NOISE, CAT_REPORT };

enum kind {
	K_OOM, K_MEMCG_OOM, K_ALLOC_FAIL, K_NULL, K_GPF, K_KBUG, K_WARN,
	K_HUNG, K_SOFT, K_HARD, K_RCU, K_IO, K_EXT4, K_XFS, K_SEGV, K_HW,
	K_PANIC, K_CLEAN_REBOOT,
	K_NR
};

static const char *const kind_name[K_NR] = {
	"oom", "memcg_oom", "alloc_failure", "null_deref", "gpf",
	"kernel_bug", "warning", "hung_task", "soft_lockup", "hard_lockup",
	"rcu_stall", "io_error", "ext4_error", "xfs_error", "segfault",
	"hardware", "panic_kill_init", "clean_reboot",
};

/* Relative frequency of each report kind, per about 1000 reports. */
static const unsigned kind_weight[K_NR] = {
	60, 30, 20, 50, 30, 20, 120,
	90, 45, 5, 40, 130, 60, 20, 190, 70,
	1, 1,
};

struct host_info {
	const char *name;
	const char *release;	/* uname -r */
	const char *build;	/* "#101-Ubuntu SMP ..." */
	const char *builder;	/* "(buildd@...) (gcc ...)" */
	const char *hw;		/* DMI "Hardware name:" */
	const char *modules;	/* "Modules linked in:" */
	const char *taint;	/* "Not tainted" or "Tainted: ..." */
	const char *disk;	/* whole disk: sda, nvme0n1 */
	const char *part;	/* root partition: sda1, dm-0 */
	const char *fs;		/* ext4 or xfs */
	const char *nic;
	unsigned ncpu;
	unsigned mem_gb;
	enum style style;
	int kstamp;		/* syslog lines carry "[ uptime]" */
	int k8s;		/* runs kubelet */
};

static const struct host_info host_tab[] = {
	{ "web-01", "5.15.0-91-generic",
	  "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023",
	  "(buildd@lcy02-amd64-045) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) "
	  "11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38)",
	  "Dell Inc. PowerEdge R640/0W23H8, BIOS 2.19.1 06/16/2023",
	  "xt_conntrack nft_chain_nat xt_MASQUERADE nf_nat "
	  "nf_conntrack_netlink nf_conntrack nf_defrag_ipv6 nf_defrag_ipv4 "
	  "xfrm_user xfrm_algo xt_addrtype nft_compat nf_tables nfnetlink "
	  "br_netfilter bridge stp llc overlay intel_rapl_msr "
	  "intel_rapl_common isst_if_common skx_edac nfit "
	  "x86_pkg_temp_thermal intel_powerclamp coretemp kvm_intel kvm "
	  "ipmi_ssif rapl intel_cstate mei_me mei ipmi_si acpi_ipmi "
	  "ipmi_devintf ipmi_msghandler mac_hid sch_fq_codel dm_multipath "
	  "scsi_dh_rdac scsi_dh_emc scsi_dh_alua msr ip_tables x_tables "
	  "autofs4 btrfs blake2b_generic raid10 raid456 async_raid6_recov "
	  "async_memcpy async_pq async_xor async_tx xor raid6_pq libcrc32c "
	  "raid1 raid0 multipath linear mgag200 drm_kms_helper "
	  "crct10dif_pclmul crc32_pclmul ghash_clmulni_intel i2c_algo_bit "
	  "aesni_intel syscopyarea sysfillrect sysimgblt fb_sys_fops "
	  "crypto_simd cec cryptd rc_core megaraid_sas drm tg3 ahci libahci "
	  "wmi",
	  "Not tainted", "sda", "sda1", "ext4", "eno1", 48, 192, STYLE_V5,
	  1, 0 },
	{ "db-02", "6.1.0-17-amd64",
	  "#1 SMP PREEMPT_DYNAMIC Debian 6.1.69-1 (2023-12-30)",
	  "(debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) "
	  "12.2.0, GNU ld (GNU Binutils for Debian) 2.40)",
	  "Supermicro SYS-1029P-WTR/X11DDW-L, BIOS 3.8a 10/20/2022",
	  "binfmt_misc nls_ascii nls_cp437 vfat fat intel_rapl_msr "
	  "intel_rapl_common intel_uncore_frequency "
	  "intel_uncore_frequency_common isst_if_common skx_edac nfit "
	  "libnvdimm x86_pkg_temp_thermal intel_powerclamp coretemp "
	  "kvm_intel kvm irqbypass rapl intel_cstate ipmi_ssif "
	  "intel_uncore mei_me ioatdma mei ipmi_si ipmi_devintf "
	  "ipmi_msghandler acpi_power_meter acpi_pad evdev joydev sg "
	  "button loop fuse dm_mod efi_pstore configfs ip_tables x_tables "
	  "autofs4 ext4 crc16 mbcache jbd2 crc32c_generic hid_generic "
	  "usbhid hid sd_mod t10_pi crc64_rocksoft crc64 crc_t10dif "
	  "crct10dif_generic ast drm_vram_helper drm_ttm_helper ttm "
	  "drm_kms_helper nvme ahci xhci_pci nvme_core libahci drm "
	  "xhci_hcd crct10dif_pclmul crct10dif_common i40e libata "
	  "crc32_pclmul crc32c_intel usbcore scsi_mod ghash_clmulni_intel "
	  "sha512_ssse3 sha512_generic i2c_i801 aesni_intel crypto_simd "
	  "cryptd i2c_smbus lpc_ich scsi_common usb_common wmi",
	  "Not tainted", "nvme0n1", "nvme0n1p2", "ext4", "eno1", 64, 384,
	  STYLE_V6, 0, 0 },
	{ "build-03", "5.14.0-362.8.1.el9_3.x86_64",
	  "#1 SMP PREEMPT_DYNAMIC Tue Oct 3 11:12:36 EDT 2023",
	  "(mockbuild@x86-vm-07.build.eng.bos.redhat.com) (gcc (GCC) "
	  "11.4.1 20230605 (Red Hat 11.4.1-2), GNU ld version "
	  "2.35.2-42.el9)",
	  "QEMU Standard PC (Q35 + ICH9, 2009), BIOS "
	  "1.16.2-debian-1.16.2-1 04/01/2014",
	  "xt_conntrack xt_MASQUERADE nf_conntrack_netlink xfrm_user "
	  "xfrm_algo iptable_nat nf_nat nf_conntrack nf_defrag_ipv6 "
	  "nf_defrag_ipv4 xt_addrtype iptable_filter br_netfilter bridge "
	  "stp llc overlay rfkill intel_rapl_msr intel_rapl_common "
	  "kvm_amd ccp kvm irqbypass virtio_balloon i2c_i801 i2c_smbus "
	  "lpc_ich joydev pcspkr drm fuse xfs libcrc32c sr_mod cdrom sg "
	  "ahci libahci crct10dif_pclmul crc32_pclmul crc32c_intel "
	  "libata ghash_clmulni_intel virtio_net virtio_blk "
	  "net_failover virtio_console failover serio_raw dm_mirror "
	  "dm_region_hash dm_log dm_mod",
	  "Not tainted", "vda", "dm-0", "xfs", "enp1s0", 16, 64, STYLE_V5,
	  0, 1 },
	{ "stream-04", "4.4.0-150-generic",
	  "#176-Ubuntu SMP Wed May 29 18:56:26 UTC 2019",
	  "(buildd@lgw01-amd64-035) (gcc version 5.4.0 20160609 "
	  "(Ubuntu 5.4.0-6ubuntu1~16.04.10) )",
	  "Fedora Project OpenStack Nova, BIOS seabios-1.7.5-11.el7 "
	  "04/01/2014",
	  "xt_nat xt_tcpudp veth ipt_MASQUERADE nf_nat_masquerade_ipv4 "
	  "nf_conntrack_netlink nfnetlink xfrm_user xfrm_algo "
	  "iptable_nat nf_conntrack_ipv4 nf_defrag_ipv4 nf_nat_ipv4 "
	  "xt_addrtype iptable_filter ip_tables xt_conntrack x_tables "
	  "nf_nat nf_conntrack br_netfilter bridge stp llc aufs "
	  "ifsfuse(OE) nfsd auth_rpcgss nfs_acl lockd grace sunrpc "
	  "ppdev kvm_intel kvm irqbypass crct10dif_pclmul crc32_pclmul "
	  "ghash_clmulni_intel aesni_intel aes_x86_64 lrw gf128mul "
	  "glue_helper ablk_helper cryptd input_leds joydev serio_raw "
	  "parport_pc parport i2c_piix4 mac_hid autofs4 psmouse floppy "
	  "virtio_net virtio_blk pata_acpi",
	  "Tainted: G           OE  ", "vda", "vda1", "ext4", "ens3", 8, 32,
	  STYLE_OLD, 0, 0 },
	{ "edge-gw", "6.8.0-31-generic",
	  "#31-Ubuntu SMP PREEMPT_DYNAMIC Sat Apr 20 00:40:06 UTC 2024",
	  "(buildd@lcy02-amd64-080) (x86_64-linux-gnu-gcc-13 (Ubuntu "
	  "13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) "
	  "2.42)",
	  "Intel(R) Client Systems NUC8i5BEH/NUC8BEB, BIOS "
	  "BECFL357.86A.0089.2021.0811.1643 08/11/2021",
	  "wireguard curve25519_x86_64 libchacha20poly1305 "
	  "chacha_x86_64 poly1305_x86_64 libcurve25519_generic libchacha "
	  "ip6_udp_tunnel udp_tunnel nft_masq nft_chain_nat nf_nat "
	  "nft_ct nf_conntrack nf_defrag_ipv6 nf_defrag_ipv4 nf_tables "
	  "snd_hda_codec_hdmi snd_hda_codec_realtek snd_hda_intel "
	  "snd_intel_dspcfg snd_hda_codec snd_hda_core snd_hwdep snd_pcm "
	  "snd_timer snd soundcore iwlmvm mac80211 libarc4 iwlwifi "
	  "cfg80211 btusb btintel bluetooth intel_rapl_msr "
	  "intel_rapl_common x86_pkg_temp_thermal coretemp kvm_intel kvm "
	  "i915 drm_buddy ttm drm_display_helper cec rc_core "
	  "i2c_algo_bit zfs(PO) spl(O) nvme nvme_core e1000e ahci "
	  "libahci video wmi",
	  "Tainted: P           O       ", "nvme0n1", "nvme0n1p2", "ext4",
	  "eno1", 8, 32, STYLE_V6, 1, 0 },
};

#define NHOST ARRAY_SIZE(host_tab)

struct host {
	const struct host_info *info;	/* borrowed from host_tab */
	uint64_t boot_us;		/* wall clock at kernel start */
	uint64_t up_at;			/* when a down host boots again */
	int down;
	int fresh;			/* next kernel line is the first */
	unsigned pid;			/* last pid handed out */
	unsigned audit_seq;
};

struct out {
	FILE *fp;			/* borrowed from main */
	char *buf;			/* owned; freed by main */
	size_t len;
	size_t cap;
	uint64_t limit;			/* bytes to write in total */
	uint64_t flushed;		/* bytes written so far */
	int done;			/* limit reached or write failed */
	int err;			/* errno of a failed write, or 0 */
};

struct gen {
	struct out o;
	uint64_t rng;
	uint64_t now;			/* wall clock, us since the epoch */
	int64_t stamp_sec;		/* second that stamp[] shows */
	char stamp[16];			/* "Feb 26 06:00:00" */
	char date[11];			/* "2024-02-26" */
	struct host host[NHOST];
	enum cat cat;			/* what the current line counts as */
	uint64_t line_start;
	uint64_t bytes[2];		/* by enum cat */
	uint64_t lines[2];
	uint64_t next_report_at;	/* noise bytes that trigger one */
	uint64_t count[K_NR];
	uint64_t panics;
	uint64_t boots;
};

/* ---- random numbers: splitmix64, fully determined by the seed ---- */

static uint64_t rnd64(struct gen *g)
{
	uint64_t z;

	g->rng += UINT64_C(0x9e3779b97f4a7c15);
	z = g->rng;
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * A number in [0, n); n > 0.  The output must not depend on the compiler,
 * and C leaves the order in which a call's arguments are evaluated open:
 * so a call never takes two arguments that draw numbers.  Values are
 * drawn into locals first (r1, r2, ... in the order they are printed).
 */
static unsigned rnd(struct gen *g, size_t n)
{
	return (unsigned)(rnd64(g) % n);
}

/* A number in [lo, hi]. */
static unsigned range(struct gen *g, unsigned lo, unsigned hi)
{
	return lo + rnd(g, (size_t)hi - lo + 1);
}

/* Random bits under a mask. */
static uint64_t rbits(struct gen *g, uint64_t mask)
{
	return rnd64(g) & mask;
}

static int pct(struct gen *g, unsigned p)
{
	return rnd(g, 100) < p;
}

static int permille(struct gen *g, unsigned p)
{
	return rnd(g, 1000) < p;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* ---- output buffer ---- */

static void die_internal(const char *what)
{
	fprintf(stderr, "gen-log: internal error: %s\n", what);
	abort();
}

/*
 * Writes the buffer out, cutting it at the byte limit; the last byte of
 * the output is always a newline, so a cut line still ends like one.
 */
static void out_flush(struct out *o)
{
	size_t n = o->len;

	o->len = 0;
	if (o->done)
		return;
	if (n >= o->limit - o->flushed) {
		n = (size_t)(o->limit - o->flushed);
		if (n)
			o->buf[n - 1] = '\n';
		o->done = 1;
	}
	if (n && fwrite(o->buf, 1, n, o->fp) != n) {
		o->err = errno ? errno : EIO;
		o->done = 1;
	}
	o->flushed += n;
}

static void put(struct gen *g, const char *s, size_t n)
{
	struct out *o = &g->o;

	if (n > o->cap - o->len)
		die_internal("line too long");
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_str(struct gen *g, const char *s)
{
	put(g, s, strlen(s));
}

static void put_chr(struct gen *g, char c)
{
	put(g, &c, 1);
}

static void vpf(struct gen *g, const char *fmt, va_list ap)
{
	struct out *o = &g->o;
	size_t room = o->cap - o->len;
	int n;

	n = vsnprintf(o->buf + o->len, room, fmt, ap);
	if (n < 0 || (size_t)n >= room)
		die_internal("line too long");
	o->len += (size_t)n;
}

__attribute__((format(printf, 2, 3)))
static void pf(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpf(g, fmt, ap);
	va_end(ap);
}

/* Lower-case hex, exactly 'digits' digits (1-16). */
static void put_hex(struct gen *g, uint64_t v, unsigned digits)
{
	static const char xd[] = "0123456789abcdef";
	char tmp[16];
	unsigned i;

	for (i = digits; i > 0; i--) {
		tmp[i - 1] = xd[v & 15];
		v >>= 4;
	}
	put(g, tmp, digits);
}

static void put_rand_hex(struct gen *g, unsigned digits)
{
	while (digits > 16) {
		put_hex(g, rnd64(g), 16);
		digits -= 16;
	}
	put_hex(g, rnd64(g), digits);
}

static void put_b64(struct gen *g, unsigned n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char tmp[64];
	unsigned i;

	if (n > sizeof(tmp))
		n = sizeof(tmp);
	for (i = 0; i < n; i++)
		tmp[i] = b64[rnd(g, 64)];
	put(g, tmp, n);
}

/* "8f3a1c2e-..." */
static void put_uuid(struct gen *g)
{
	put_rand_hex(g, 8);
	put_chr(g, '-');
	put_rand_hex(g, 4);
	put_chr(g, '-');
	put_rand_hex(g, 4);
	put_chr(g, '-');
	put_rand_hex(g, 4);
	put_chr(g, '-');
	put_rand_hex(g, 12);
}

/* A remote address from the documentation ranges, or a private one. */
static void put_ip(struct gen *g)
{
	switch (rnd(g, 4)) {
	case 0:
		pf(g, "198.51.100.%u", range(g, 1, 254));
		break;
	case 1:
		pf(g, "203.0.113.%u", range(g, 1, 254));
		break;
	case 2: {
		unsigned r1 = rnd(g, 256);
		unsigned r2 = rnd(g, 256);
		unsigned r3 = range(g, 1, 254);
		pf(g, "10.%u.%u.%u", r1, r2, r3);
		break;
	}
	default:
		pf(g, "192.0.2.%u", range(g, 1, 254));
		break;
	}
}

/* ---- the clock ---- */

static const char *const month_abbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *year, unsigned *mon,
			    unsigned *day)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*mon = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)(y + (*mon <= 2));
}

static void refresh_stamp(struct gen *g)
{
	int64_t sec = (int64_t)(g->now / US_PER_SEC);
	unsigned rem, mon, day, hh, mm, ss;
	int year;

	if (sec == g->stamp_sec)
		return;
	g->stamp_sec = sec;
	civil_from_days(sec / 86400, &year, &mon, &day);
	rem = (unsigned)(sec % 86400);
	hh = rem / 3600;
	mm = rem / 60 % 60;
	ss = rem % 60;
	memcpy(g->stamp, month_abbr[mon - 1], 3);
	g->stamp[3] = ' ';
	g->stamp[4] = day < 10 ? ' ' : (char)('0' + day / 10);
	g->stamp[5] = (char)('0' + day % 10);
	g->stamp[6] = ' ';
	g->stamp[7] = (char)('0' + hh / 10);
	g->stamp[8] = (char)('0' + hh % 10);
	g->stamp[9] = ':';
	g->stamp[10] = (char)('0' + mm / 10);
	g->stamp[11] = (char)('0' + mm % 10);
	g->stamp[12] = ':';
	g->stamp[13] = (char)('0' + ss / 10);
	g->stamp[14] = (char)('0' + ss % 10);
	g->stamp[15] = '\0';
	snprintf(g->date, sizeof(g->date), "%04u-%02u-%02u",
		 (unsigned)year % 10000, mon % 100, day % 100);
}

/* "2024-02-26T06:00:01.123456789Z" */
static void put_rfc3339(struct gen *g)
{
	refresh_stamp(g);
	put_str(g, g->date);
	put_chr(g, 'T');
	put(g, g->stamp + 7, 8);
	pf(g, ".%06u%03uZ", (unsigned)(g->now % US_PER_SEC), rnd(g, 1000));
}

static void put_epoch_ms(struct gen *g)
{
	pf(g, "%" PRIu64 ".%03u", g->now / US_PER_SEC,
	   (unsigned)(g->now % US_PER_SEC / 1000));
}

/* ---- lines ---- */

static unsigned new_pid(struct gen *g, struct host *h)
{
	h->pid += range(g, 1, 40);
	if (h->pid > 4194000)
		h->pid = range(g, 300, 2000);
	return h->pid;
}

/* The pid of a long-running daemon: fixed per host and program. */
static unsigned daemon_pid(const struct gen *g, const struct host *h,
			   const char *prog)
{
	uint64_t hash = fnv1a(prog, strlen(prog)) + (uint64_t)(h - g->host);

	return 400 + (unsigned)(hash % 1600);
}

static void line_begin(struct gen *g, struct host *h, const char *prog,
		       unsigned pid)
{
	if (g->o.len >= OUT_FLUSH_AT)
		out_flush(&g->o);
	g->line_start = g->o.flushed + g->o.len;
	refresh_stamp(g);
	put(g, g->stamp, 15);
	put_chr(g, ' ');
	put_str(g, h->info->name);
	put_chr(g, ' ');
	put_str(g, prog);
	if (pid)
		pf(g, "[%u]", pid);
	put(g, ": ", 2);
}

static void line_end(struct gen *g)
{
	put_chr(g, '\n');
	g->bytes[g->cat] += g->o.flushed + g->o.len - g->line_start;
	g->lines[g->cat]++;
}

static void noise_line(struct gen *g, struct host *h);

static struct host *other_host(struct gen *g, struct host *h)
{
	unsigned i, start = rnd(g, NHOST);

	for (i = 0; i < NHOST; i++) {
		struct host *o = &g->host[(start + i) % NHOST];

		if (o != h && !o->down)
			return o;
	}
	return NULL;
}

/*
 * Starts a "kernel:" line.  Inside reports it now and then lets another
 * host's noise line slip in first, as in any aggregated log.
 */
static void kline(struct gen *g, struct host *h)
{
	uint64_t up;

	if (g->cat == CAT_REPORT) {
		g->now += rnd(g, 3000);
		if (pct(g, 2)) {
			struct host *o = other_host(g, h);

			if (o) {
				g->cat = CAT_NOISE;
				noise_line(g, o);
				g->cat = CAT_REPORT;
			}
		}
	}
	if (h->fresh) {
		h->boot_us = g->now;
		h->fresh = 0;
	}
	line_begin(g, h, "kernel", 0);
	if (h->info->kstamp) {
		up = g->now - h->boot_us;
		pf(g, "[%5" PRIu64 ".%06u] ", up / US_PER_SEC,
		   (unsigned)(up % US_PER_SEC));
	}
}

__attribute__((format(printf, 3, 4)))
static void kl(struct gen *g, struct host *h, const char *fmt, ...)
{
	va_list ap;

	kline(g, h);
	va_start(ap, fmt);
	vpf(g, fmt, ap);
	va_end(ap);
	line_end(g);
}

/* ---- pools ---- */

static const char *const user_name[] = {
	"deploy", "ubuntu", "root", "git", "backup", "jenkins", "alice",
	"bob", "ansible", "postgres", "admin", "svc-metrics",
};

static const char *const bad_user[] = {
	"admin", "oracle", "test", "user", "ftpuser", "pi", "support",
	"guest", "ubnt", "hadoop", "minecraft", "steam",
};

static const char *const user_comm[] = {
	"java", "python3", "postgres", "node", "nginx", "php-fpm8.2",
	"mysqld", "chrome", "stream_convert", "ffmpeg", "redis-server",
	"gitlab-runner", "cc1plus", "rustc", "clickhouse-serv", "ld.lld",
	"elasticsearch", "dotnet", "ruby", "mongod", "prometheus", "vector",
};

static const char *const lib_name[] = {
	"libc.so.6", "libpthread.so.0", "libstdc++.so.6.0.30",
	"libpython3.11.so.1.0", "libssl.so.3", "libcrypto.so.3",
	"libjvm.so", "libz.so.1.2.13", "libglib-2.0.so.0.7400.6",
};

/* ---- call traces ---- */

struct stack {
	const char *file;	/* source of a WARN_ON/BUG_ON here */
	const char *comm;	/* NULL: a user task from user_comm */
	const char *frames;	/* innermost first; "mod:func" in a module */
};

/* Where oopses, WARNINGs and lockups happen. */
static const struct stack crash_stack[] = {
	{ "fs/ext4/inode.c", NULL,
	  "ext4_mark_iloc_dirty __ext4_mark_inode_dirty ext4_dirty_inode "
	  "__mark_inode_dirty generic_write_end ext4_da_write_end "
	  "generic_perform_write ext4_buffered_write_iter "
	  "ext4_file_write_iter new_sync_write vfs_write ksys_write "
	  "__x64_sys_write do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ "net/ipv4/tcp.c", NULL,
	  "tcp_sendmsg_locked tcp_sendmsg inet_sendmsg sock_sendmsg "
	  "__sys_sendto __x64_sys_sendto do_syscall_64 "
	  "entry_SYSCALL_64_after_hwframe" },
	{ "drivers/gpu/drm/amd/amdgpu/amdgpu_vm_sdma.c", NULL,
	  "amdgpu:amdgpu_vm_sdma_commit amdgpu:amdgpu_vm_sdma_update "
	  "amdgpu:amdgpu_vm_update_ptes amdgpu:amdgpu_vm_bo_update_mapping "
	  "amdgpu:amdgpu_vm_clear_freed amdgpu:amdgpu_gem_va_ioctl "
	  "drm:drm_ioctl_kernel drm:drm_ioctl amdgpu:amdgpu_drm_ioctl "
	  "__x64_sys_ioctl do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ "drivers/nvme/host/pci.c", "kworker/u64:3",
	  "nvme:nvme_queue_rq blk_mq_dispatch_rq_list "
	  "__blk_mq_sched_dispatch_requests blk_mq_sched_dispatch_requests "
	  "__blk_mq_run_hw_queue process_one_work worker_thread kthread "
	  "ret_from_fork" },
	{ "net/netfilter/nf_conntrack_core.c", "kworker/2:1",
	  "nf_conntrack:nf_ct_delete nf_conntrack:gc_worker "
	  "process_one_work worker_thread kthread ret_from_fork" },
	{ "fs/xfs/xfs_buf.c", "xfsaild/dm-0",
	  "xfs:xfs_buf_delwri_submit_buffers xfs:xfsaild_push xfs:xfsaild "
	  "kthread ret_from_fork" },
	{ "drivers/net/wireless/intel/iwlwifi/mvm/rx.c", "irq/137-iwlwifi",
	  "iwlmvm:iwl_mvm_rx_common iwlmvm:iwl_mvm_rx_mq "
	  "iwlwifi:iwl_pcie_rx_handle iwlwifi:iwl_pcie_irq_rx_msix_handler "
	  "irq_thread_fn irq_thread kthread ret_from_fork" },
	{ "fs/nfs/write.c", NULL,
	  "nfs:nfs_updatepage nfs:nfs_write_end generic_perform_write "
	  "nfs:nfs_file_write new_sync_write vfs_write ksys_write "
	  "__x64_sys_write do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ "include/linux/skbuff.h", "ksoftirqd/3",
	  "skb_pull ipv6_rcv __netif_receive_skb_one_core "
	  "__netif_receive_skb process_backlog __napi_poll net_rx_action "
	  "__do_softirq run_ksoftirqd smpboot_thread_fn kthread "
	  "ret_from_fork" },
	{ "fs/btrfs/extent-tree.c", "btrfs-transacti",
	  "btrfs:__btrfs_free_extent btrfs:__btrfs_run_delayed_refs "
	  "btrfs:btrfs_run_delayed_refs btrfs:btrfs_commit_transaction "
	  "btrfs:transaction_kthread kthread ret_from_fork" },
	{ "module/zfs/dbuf.c", NULL,
	  "zfs:dbuf_read zfs:dmu_buf_hold_array_by_dnode "
	  "zfs:dmu_read_uio_dnode zfs:dmu_read_uio_dbuf zfs:zfs_read "
	  "zfs:zpl_iter_read new_sync_read vfs_read ksys_read "
	  "__x64_sys_read do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ "drivers/gpu/drm/i915/display/intel_display.c", "kworker/u16:7",
	  "i915:intel_atomic_commit_tail i915:intel_atomic_commit_work "
	  "process_one_work worker_thread kthread ret_from_fork" },
	{ "mm/slub.c", NULL,
	  "__slab_free kmem_cache_free __fput task_work_run "
	  "exit_to_user_mode_prepare syscall_exit_to_user_mode "
	  "do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ "kernel/sched/core.c", NULL,
	  "smp_call_function_many_cond on_each_cpu_cond_mask "
	  "flush_tlb_mm_range tlb_finish_mmu zap_page_range_single "
	  "do_madvise __x64_sys_madvise do_syscall_64 "
	  "entry_SYSCALL_64_after_hwframe" },
	{ "mm/vmscan.c", "kswapd0",
	  "shrink_slab shrink_node balance_pgdat kswapd kthread "
	  "ret_from_fork" },
	{ "module/zfs/arc.c", "arc_evict",
	  "zfs:arc_evict_state zfs:arc_evict zfs:arc_evict_cb "
	  "zfs:zthr_procedure spl:thread_generic_wrapper kthread "
	  "ret_from_fork" },
};

/* Where hung tasks sleep. */
static const struct stack sleep_stack[] = {
	{ NULL, "jbd2/",
	  "__schedule schedule io_schedule bit_wait_io __wait_on_bit "
	  "out_of_line_wait_on_bit __wait_on_buffer "
	  "jbd2:jbd2_journal_commit_transaction jbd2:kjournald2 kthread "
	  "ret_from_fork" },
	{ NULL, NULL,
	  "__schedule schedule jbd2:wait_transaction_locked "
	  "jbd2:add_transaction_credits jbd2:start_this_handle "
	  "jbd2:jbd2__journal_start __ext4_journal_start_sb "
	  "ext4_dirty_inode __mark_inode_dirty generic_update_time "
	  "file_modified ext4_buffered_write_iter ext4_file_write_iter "
	  "new_sync_write vfs_write ksys_write __x64_sys_write "
	  "do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ NULL, NULL,
	  "__schedule schedule io_schedule folio_wait_bit_common "
	  "folio_wait_writeback __filemap_fdatawait_range "
	  "file_write_and_wait_range nfs:nfs_file_fsync __x64_sys_fsync "
	  "do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ NULL, NULL,
	  "__schedule schedule schedule_timeout __wait_for_common "
	  "__flush_work p9_fd_close p9_client_create v9fs_session_init "
	  "v9fs_get_tree vfs_get_tree path_mount __x64_sys_mount "
	  "do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ NULL, NULL,
	  "__schedule schedule rwsem_down_write_slowpath down_write "
	  "do_truncate do_sys_ftruncate __x64_sys_ftruncate do_syscall_64 "
	  "entry_SYSCALL_64_after_hwframe" },
	{ NULL, NULL,
	  "__schedule schedule xfs:xlog_wait_on_iclog "
	  "xfs:xfs_log_force_seq xfs:xfs_file_fsync __x64_sys_fdatasync "
	  "do_syscall_64 entry_SYSCALL_64_after_hwframe" },
	{ NULL, NULL,
	  "__schedule schedule schedule_preempt_disabled "
	  "__mutex_lock.constprop.0 __mutex_lock_slowpath mutex_lock "
	  "nfsd:nfsd4_process_open2 nfsd:nfsd4_open nfsd:nfsd4_proc_compound "
	  "nfsd:nfsd_dispatch sunrpc:svc_process nfsd:nfsd kthread "
	  "ret_from_fork" },
	{ NULL, "kworker/u16:0",
	  "__schedule schedule schedule_timeout wait_for_completion "
	  "__flush_work flush_work drm_kms_helper:drm_kms_helper_poll_disable "
	  "i915:intel_display_driver_suspend process_one_work worker_thread "
	  "kthread ret_from_fork" },
};

static const char *const oom_frames[] = {
	/* STYLE_OLD */
	"dump_stack dump_header oom_kill_process out_of_memory "
	"__alloc_pages_slowpath __alloc_pages_nodemask alloc_pages_vma "
	"handle_mm_fault __do_page_fault trace_do_page_fault "
	"do_async_page_fault async_page_fault",
	/* STYLE_V5, STYLE_V6 */
	"dump_stack_lvl dump_header oom_kill_process out_of_memory "
	"__alloc_pages_slowpath.constprop.0 __alloc_pages folio_alloc "
	"__filemap_get_folio filemap_fault __do_fault do_fault "
	"__handle_mm_fault handle_mm_fault do_user_addr_fault "
	"exc_page_fault asm_exc_page_fault",
};

static const char memcg_frames[] =
	"dump_stack_lvl dump_header oom_kill_process out_of_memory "
	"mem_cgroup_out_of_memory try_charge_memcg charge_memcg "
	"__mem_cgroup_charge do_anonymous_page __handle_mm_fault "
	"handle_mm_fault do_user_addr_fault exc_page_fault "
	"asm_exc_page_fault";

static const char alloc_fail_frames[] =
	"dump_stack_lvl warn_alloc __alloc_pages_slowpath.constprop.0 "
	"__alloc_pages __kmalloc_large_node __kmalloc_node_track_caller "
	"kmalloc_reserve __alloc_skb tcp_stream_alloc_skb "
	"tcp_sendmsg_locked tcp_sendmsg sock_sendmsg __sys_sendto "
	"__x64_sys_sendto do_syscall_64 entry_SYSCALL_64_after_hwframe";

static const char rcu_irq_frames[] =
	"dump_stack_lvl nmi_cpu_backtrace.cold nmi_trigger_cpumask_backtrace "
	"rcu_dump_cpu_stacks rcu_sched_clock_irq.cold update_process_times "
	"tick_sched_handle tick_sched_timer __hrtimer_run_queues "
	"hrtimer_interrupt __sysvec_apic_timer_interrupt "
	"sysvec_apic_timer_interrupt";

static const char *const unreliable_frame[] = {
	"__schedule", "kmem_cache_alloc", "apparmor_capable",
	"_raw_spin_unlock_irqrestore", "srso_return_thunk",
	"asm_sysvec_apic_timer_interrupt", "lock_timer_base",
	"rcu_is_watching", "__pfx_schedule", "update_load_avg",
	"ktime_get", "__switch_to_asm",
};

/* Size of a function: fixed per name, as in a real kernel image. */
static unsigned func_size(uint64_t hash)
{
	return (unsigned)(0x40 + hash % 0x7c0) & ~0xfu;
}

static uint64_t func_addr(uint64_t hash, int in_module)
{
	if (in_module)
		return KMODULES + (hash >> 8 & 0x3fffff0);
	return KTEXT + (hash >> 8 & 0xfffff0);
}

/* A random kernel pointer: heap, stack, text or a small number. */
static uint64_t reg_value(struct gen *g)
{
	switch (rnd(g, 6)) {
	case 0:
		return 0;
	case 1:
		return rnd(g, 0x10000);
	case 2:
		return KHEAP + rbits(g, UINT64_C(0x7ffffff8));
	case 3:
		return KSTACK + rbits(g, UINT64_C(0xfffff8));
	case 4:
		return KTEXT + rbits(g, UINT64_C(0xfffff0));
	default:
		return rnd64(g);
	}
}

/* One frame of a stack list: "func" or "mod:func". */
struct frame_info {
	const char *fn;		/* borrowed from the stack list */
	size_t fnlen;
	const char *mod;	/* borrowed; NULL in the core kernel */
	size_t modlen;
	unsigned off;
	unsigned size;
	uint64_t addr;		/* address of fn + off */
};

static int tok_is(const char *tok, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(tok, s, n);
}

static void frame_parse(struct gen *g, const char *tok, size_t n,
			struct frame_info *f)
{
	const char *colon = memchr(tok, ':', n);
	uint64_t hash;

	f->fn = colon ? colon + 1 : tok;
	f->fnlen = n - (size_t)(f->fn - tok);
	f->mod = colon ? tok : NULL;
	f->modlen = colon ? (size_t)(colon - tok) : 0;
	hash = fnv1a(f->fn, f->fnlen);
	f->size = func_size(hash);
	f->off = range(g, 1, f->size - 1);
	f->addr = func_addr(hash, !!colon) + f->off;
}

/* The first frame of a space-separated list. */
static void first_frame(struct gen *g, const char *list, struct frame_info *f)
{
	const char *e = strchr(list, ' ');

	frame_parse(g, list, e ? (size_t)(e - list) : strlen(list), f);
}

/* "func+0x1d/0x30 [mod]" */
static void put_frame(struct gen *g, const struct frame_info *f)
{
	put(g, f->fn, f->fnlen);
	pf(g, "+0x%x/0x%x", f->off, f->size);
	if (f->mod)
		pf(g, " [%.*s]", (int)f->modlen, f->mod);
}

/*
 * Prints one trace line: " func+0x1d/0x30 [mod]", or the 4.4 form
 * "[<ffffffff8140b481>] func+0x63/0x82".
 */
static void frame(struct gen *g, struct host *h, const char *tok,
		  size_t n, int unreliable)
{
	int old = h->info->style == STYLE_OLD;
	struct frame_info f;

	frame_parse(g, tok, n, &f);
	if (old && tok_is(f.fn, f.fnlen, "do_syscall_64"))
		return;
	kline(g, h);
	if (old)
		pf(g, "[<%016" PRIx64 ">] ", f.addr);
	else
		put_chr(g, ' ');
	if (unreliable)
		put(g, "? ", 2);
	if (old && f.fnlen > 10 && !memcmp(f.fn, "__x64_sys_", 10)) {
		/* 4.4 names the syscall entry points SyS_<name> */
		put(g, "SyS_", 4);
		f.fn += 10;
		f.fnlen -= 10;
	} else if (old && tok_is(f.fn, f.fnlen,
				 "entry_SYSCALL_64_after_hwframe")) {
		f.fn = "entry_SYSCALL_64_fastpath";
		f.fnlen = strlen(f.fn);
	}
	put_frame(g, &f);
	line_end(g);
}

/* Prints the frames of a space-separated list, skipping the first 'skip'. */
static void frames(struct gen *g, struct host *h, const char *list,
		   unsigned skip)
{
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (skip) {
			skip--;
		} else {
			if (pct(g, 12)) {
				const char *u = PICK(g, unreliable_frame);

				frame(g, h, u, strlen(u), 1);
			}
			frame(g, h, p, n, 0);
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void call_trace(struct gen *g, struct host *h, const char *list,
		       unsigned skip)
{
	int old = h->info->style == STYLE_OLD;

	kl(g, h, "Call Trace:");
	if (!old)
		kl(g, h, " <TASK>");
	frames(g, h, list, skip);
	if (!old)
		kl(g, h, " </TASK>");
}

static void code_line(struct gen *g, struct host *h)
{
	unsigned i;

	kline(g, h);
	put(g, "Code:", 5);
	for (i = 0; i < 64; i++) {
		put_chr(g, ' ');
		if (i == 42)
			put_chr(g, '<');
		put_hex(g, rnd(g, 256), 2);
		if (i == 42)
			put_chr(g, '>');
	}
	line_end(g);
}

static void regs(struct gen *g, struct host *h, int user)
{
	uint64_t sp = user ? USTACK + rbits(g, UINT64_C(0xfffffff8))
			   : KSTACK + rbits(g, UINT64_C(0xfffff8));
	static const char *const name[15] = {
		"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R08",
		"R09", "R10", "R11", "R12", "R13", "R14", "R15",
	};
	uint64_t fs, gs, cr2, cr3;
	unsigned i;

	kl(g, h, "RSP: %s:%016" PRIx64 " EFLAGS: %08x", user ? "002b" : "0018",
	   sp, 0x10200u + 0x46u * rnd(g, 4));
	for (i = 0; i < 15; i += 3) {
		uint64_t a = reg_value(g);
		uint64_t b = reg_value(g);
		uint64_t c = reg_value(g);

		kl(g, h, "%s: %016" PRIx64 " %s: %016" PRIx64
		   " %s: %016" PRIx64, name[i], a, name[i + 1], b,
		   name[i + 2], c);
	}
	fs = UMMAP + rbits(g, UINT64_C(0xfffffff000));
	gs = UINT64_C(0xffff88a000000000) + rbits(g, UINT64_C(0x3f00000));
	kl(g, h, "FS:  %016" PRIx64 "(0000) GS:%016" PRIx64
	   "(0000) knlGS:0000000000000000", fs, gs);
	kl(g, h, "CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033");
	cr2 = reg_value(g);
	cr3 = rbits(g, UINT64_C(0x3fffff000));
	kl(g, h, "CR2: %016" PRIx64 " CR3: %016" PRIx64 " CR4: %016" PRIx64,
	   cr2, cr3, (uint64_t)0x3706f0);
}

/* Length of "#101-Ubuntu" in "#101-Ubuntu SMP ...". */
static int build_tag_len(const struct host_info *hi)
{
	return (int)strcspn(hi->build, " ");
}

static void cpu_line(struct gen *g, struct host *h, unsigned cpu,
		     unsigned pid, const char *comm)
{
	const struct host_info *hi = h->info;

	kl(g, h, "CPU: %u PID: %u Comm: %s %s %s %.*s", cpu, pid, comm,
	   hi->taint, hi->release, build_tag_len(hi), hi->build);
}

static void hw_line(struct gen *g, struct host *h)
{
	kl(g, h, "Hardware name: %s", h->info->hw);
}

static void end_trace(struct gen *g, struct host *h)
{
	kline(g, h);
	put(g, "---[ end trace ", 15);
	if (h->info->style == STYLE_V6)
		put_hex(g, 0, 16);
	else
		put_rand_hex(g, 16);
	put(g, " ]---", 5);
	line_end(g);
}

/* The task a report names: a kernel thread or a user process. */
static void pick_task(struct gen *g, struct host *h, const struct stack *s,
		      char *comm, size_t size, unsigned *pid)
{
	if (!s->comm) {
		snprintf(comm, size, "%s", PICK(g, user_comm));
		*pid = new_pid(g, h);
	} else if (!strcmp(s->comm, "jbd2/")) {
		snprintf(comm, size, "jbd2/%s-8", h->info->part);
		*pid = range(g, 300, 900);
	} else {
		snprintf(comm, size, "%s", s->comm);
		*pid = range(g, 10, 3000);
	}
}

/* ---- noise ---- */

static void noise_sshd(struct gen *g, struct host *h)
{
	line_begin(g, h, "sshd", new_pid(g, h));
	switch (rnd(g, 8)) {
	case 0:
		pf(g, "Accepted publickey for %s from ", PICK(g, user_name));
		put_ip(g);
		pf(g, " port %u ssh2: ED25519 SHA256:", range(g, 1024, 65535));
		put_b64(g, 43);
		break;
	case 1: {
		const char *r1 = PICK(g, user_name);
		unsigned r2 = range(g, 1000, 1010);
		pf(g, "pam_unix(sshd:session): session opened for user "
		   "%s(uid=%u) by (uid=0)", r1, r2);
		break;
	}
	case 2:
		put_str(g, "Received disconnect from ");
		put_ip(g);
		pf(g, " port %u:11: disconnected by user",
		   range(g, 1024, 65535));
		break;
	case 3:
		pf(g, "Disconnected from user %s ", PICK(g, user_name));
		put_ip(g);
		pf(g, " port %u", range(g, 1024, 65535));
		break;
	case 4:
		pf(g, "pam_unix(sshd:session): session closed for user %s",
		   PICK(g, user_name));
		break;
	case 5:
		pf(g, "Invalid user %s from ", PICK(g, bad_user));
		put_ip(g);
		pf(g, " port %u", range(g, 1024, 65535));
		break;
	case 6:
		pf(g, "Connection closed by invalid user %s ",
		   PICK(g, bad_user));
		put_ip(g);
		pf(g, " port %u [preauth]", range(g, 1024, 65535));
		break;
	default:
		pf(g, "Failed password for invalid user %s from ",
		   PICK(g, bad_user));
		put_ip(g);
		pf(g, " port %u ssh2", range(g, 1024, 65535));
		break;
	}
	line_end(g);
}

static const char *const unit_tab[][2] = {
	{ "apt-daily.service", "Daily apt download activities" },
	{ "apt-daily-upgrade.service", "Daily apt upgrade and clean "
	  "activities" },
	{ "logrotate.service", "Rotate log files" },
	{ "man-db.service", "Daily man-db regeneration" },
	{ "sysstat-collect.service", "system activity accounting tool" },
	{ "fstrim.service", "Discard unused blocks on filesystems from "
	  "/etc/fstab" },
	{ "certbot.service", "Certbot" },
	{ "phpsessionclean.service", "Clean php session files" },
	{ "motd-news.service", "Message of the Day" },
	{ "systemd-tmpfiles-clean.service", "Cleanup of Temporary "
	  "Directories" },
	{ "docker-prune.service", "Prune unused Docker objects" },
	{ "backup-db.service", "Nightly database dump to object storage" },
	{ "update-notifier-download.service", "Download data for packages "
	  "that failed at package install time" },
};

static void noise_systemd(struct gen *g, struct host *h)
{
	unsigned u = rnd(g, ARRAY_SIZE(unit_tab));

	line_begin(g, h, "systemd", 1);
	switch (rnd(g, 6)) {
	case 0:
		pf(g, "Starting %s...", unit_tab[u][1]);
		break;
	case 1:
		pf(g, "Started %s.", unit_tab[u][1]);
		break;
	case 2:
		pf(g, "%s: Deactivated successfully.", unit_tab[u][0]);
		break;
	case 3:
		pf(g, "Finished %s - %s.", unit_tab[u][0], unit_tab[u][1]);
		break;
	case 4: {
		unsigned r1 = rnd(g, 40);
		unsigned r2 = rnd(g, 1000);
		unsigned r3 = range(g, 1, 900);
		unsigned r4 = rnd(g, 10);
		pf(g, "%s: Consumed %u.%03us CPU time, %u.%uM memory peak, "
		   "0B memory swap peak.", unit_tab[u][0], r1, r2, r3, r4);
		break;
	}
	default:
		pf(g, "session-%u.scope: Deactivated successfully.",
		   range(g, 1000, 99999));
		break;
	}
	line_end(g);
}

static void noise_logind(struct gen *g, struct host *h)
{
	line_begin(g, h, "systemd-logind",
		   daemon_pid(g, h, "systemd-logind"));
	if (pct(g, 50)) {
		unsigned session = range(g, 1000, 99999);

		pf(g, "New session %u of user %s.", session,
		   PICK(g, user_name));
	} else {
		pf(g, "Removed session %u.", range(g, 1000, 99999));
	}
	line_end(g);
}

static void noise_cron(struct gen *g, struct host *h)
{
	static const char *const cmd[] = {
		"command -v debian-sa1 > /dev/null && debian-sa1 1 1",
		"   cd / && run-parts --report /etc/cron.hourly",
		"[ -x /usr/lib/php/sessionclean ] && if [ ! -d "
		"/run/systemd/system ]; then /usr/lib/php/sessionclean; fi",
		"/usr/local/bin/metrics-push --config "
		"/etc/metrics/push.yaml --quiet",
		"test -x /usr/sbin/anacron || { cd / && run-parts --report "
		"/etc/cron.daily; }",
		"/opt/backup/bin/snapshot.sh --retain 14 >> "
		"/var/log/backup.log 2>&1",
	};

	line_begin(g, h, "CRON", new_pid(g, h));
	if (pct(g, 40))
		put_str(g, "pam_unix(cron:session): session opened for user "
		      "root(uid=0) by (uid=0)");
	else if (pct(g, 70))
		pf(g, "(root) CMD (%s)", PICK(g, cmd));
	else
		pf(g, "(deploy) CMD (%s)", PICK(g, cmd));
	line_end(g);
}

static void put_veth(struct gen *g)
{
	put_str(g, "veth");
	put_rand_hex(g, 7);
}

static void noise_kernel(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;

	kline(g, h);
	switch (rnd(g, 12)) {
	case 0:
		put_str(g, "IPv6: ADDRCONF(NETDEV_CHANGE): ");
		put_veth(g);
		put_str(g, ": link becomes ready");
		break;
	case 1:
		pf(g, "docker0: port %u(", range(g, 1, 12));
		put_veth(g);
		pf(g, ") entered %s state", pct(g, 50) ? "forwarding" :
		   pct(g, 50) ? "blocking" : "disabled");
		break;
	case 2:
		put_str(g, "device ");
		put_veth(g);
		pf(g, " %s promiscuous mode", pct(g, 50) ? "entered" : "left");
		break;
	case 3:
		pf(g, "audit: type=1400 audit(");
		put_epoch_ms(g);
		const char *r23 = pct(g, 50) ? "firefox.firefox" : "lxd.daemon";
		const char *r24 = pct(g, 50) ? "firefox" : "lxd";
		pf(g, ":%u): apparmor=\"DENIED\" operation=\"open\" "
		   "class=\"file\" profile=\"snap.%s\" name=\"/proc/%u/"
		   "cgroup\" pid=%u comm=\"%s\" requested_mask=\"r\" "
		   "denied_mask=\"r\" fsuid=%u ouid=%u",
		   ++h->audit_seq, r23, h->pid, h->pid, r24, 1000u, 1000u);
		break;
	case 4:
	case 5: {
		unsigned r17 = rnd(g, 256);
		unsigned r18 = rnd(g, 256);
		unsigned r19 = rnd(g, 256);
		unsigned r20 = rnd(g, 256);
		unsigned r21 = rnd(g, 256);
		unsigned r22 = rnd(g, 256);
		pf(g, "[UFW BLOCK] IN=%s OUT= MAC=52:54:00:12:34:56:"
		   "%02x:%02x:%02x:%02x:%02x:%02x:08:00 SRC=", hi->nic,
		   r17, r18, r19, r20, r21, r22);
		put_ip(g);
		unsigned r10 = range(g, 2, 40);
		unsigned r11 = range(g, 40, 60);
		unsigned r12 = range(g, 40, 250);
		unsigned r13 = rnd(g, 65536);
		unsigned r14 = range(g, 1024, 65535);
		unsigned r15 = pct(g, 50) ? 23u : range(g, 1, 9999);
		unsigned r16 = range(g, 1024, 65535);
		pf(g, " DST=10.0.0.%u LEN=%u TOS=0x00 PREC=0x00 TTL=%u "
		   "ID=%u PROTO=TCP SPT=%u DPT=%u WINDOW=%u RES=0x00 SYN "
		   "URGP=0", r10, r11, r12, r13, r14, r15, r16);
		break;
	}
	case 6:
		pf(g, "EXT4-fs (sd%c1): mounted filesystem ",
		   (char)('b' + rnd(g, 3)));
		put_uuid(g);
		put_str(g, " r/w with ordered data mode. Quota mode: none.");
		break;
	case 7: {
		unsigned r8 = range(g, 1, 4);
		unsigned r9 = range(g, 2, 60);
		pf(g, "usb 1-%u: new high-speed USB device number %u using "
		   "xhci_hcd", r8, r9);
		break;
	}
	case 8: {
		unsigned r3 = range(g, 1, 4);
		unsigned r4 = rnd(g, 0x10000);
		unsigned r5 = rnd(g, 0x10000);
		unsigned r6 = range(g, 1, 9);
		unsigned r7 = rnd(g, 100);
		pf(g, "usb 1-%u: New USB device found, idVendor=%04x, "
		   "idProduct=%04x, bcdDevice= %u.%02u", r3, r4, r5, r6, r7);
		break;
	}
	case 9: {
		unsigned r1 = range(g, 2501, 9000);
		unsigned r2 = range(g, 20000, 79750);
		pf(g, "perf: interrupt took too long (%u > %u), lowering "
		   "kernel.perf_event_max_sample_rate to %u", r1, 2500u, r2);
		break;
	}
	case 10:
		pf(g, "e1000e: %s NIC Link is Up 1000 Mbps Full Duplex, "
		   "Flow Control: Rx/Tx", hi->nic);
		break;
	default:
		pf(g, "TCP: request_sock_TCP: Possible SYN flooding on port "
		   "%u. Sending cookies.  Check SNMP counters.",
		   pct(g, 50) ? 443u : 8443u);
		break;
	}
	line_end(g);
}

static void noise_nm(struct gen *g, struct host *h)
{
	line_begin(g, h, "NetworkManager",
		   daemon_pid(g, h, "NetworkManager"));
	put_str(g, "<info>  [");
	put_epoch_ms(g);
	put_str(g, "] ");
	switch (rnd(g, 4)) {
	case 0:
		pf(g, "dhcp4 (%s): state changed new lease, "
		   "address=10.0.0.%u", h->info->nic, range(g, 2, 250));
		break;
	case 1:
		put(g, "device (", 8);
		put_veth(g);
		put_str(g, "): state change: unmanaged -> unavailable "
		      "(reason 'connection-assumed', sys-iface-state: "
		      "'external')");
		break;
	case 2:
		put_str(g, "manager: NetworkManager state is now "
		      "CONNECTED_GLOBAL");
		break;
	default:
		pf(g, "dhcp4 (%s): option requested_routers    => '10.0.0.1'",
		   h->info->nic);
		break;
	}
	line_end(g);
}

static void noise_dockerd(struct gen *g, struct host *h)
{
	static const char *const image[] = {
		"registry.example.com/shop/api", "nginx", "redis",
		"registry.example.com/data/etl-worker", "postgres",
		"grafana/grafana", "prom/node-exporter",
	};

	line_begin(g, h, "dockerd",
		   daemon_pid(g, h, "dockerd"));
	put_str(g, "time=\"");
	put_rfc3339(g);
	switch (rnd(g, 4)) {
	case 0:
		put_str(g, "\" level=info msg=\"ignoring event\" container=");
		put_rand_hex(g, 64);
		put_str(g, " module=libcontainerd namespace=moby "
		      "topic=/tasks/delete type=\"*events.TaskDelete\"");
		break;
	case 1: {
		const char *r1 = PICK(g, image);
		unsigned r2 = rnd(g, 40);
		unsigned r3 = rnd(g, 10);
		pf(g, "\" level=info msg=\"{\\\"status\\\":\\\"pull\\\","
		   "\\\"id\\\":\\\"%s:1.%u.%u\\\",\\\"Type\\\":\\\"image\\\","
		   "\\\"Action\\\":\\\"pull\\\",\\\"scope\\\":\\\"local\\\","
		   "\\\"time\\\":%" PRIu64 "}\"", r1,
		   r2, r3, g->now / US_PER_SEC);
		break;
	}
	case 2:
		put_str(g, "\" level=warning msg=\"Health check for "
			"container ");
		put_rand_hex(g, 64);
		put_str(g, " error: context deadline exceeded\"");
		break;
	default:
		put_str(g, "\" level=info msg=\"Container ");
		put_rand_hex(g, 64);
		pf(g, " failed to exit within %us of signal 15 - using the "
		   "force\"", range(g, 2, 30));
		break;
	}
	line_end(g);
}

static void noise_containerd(struct gen *g, struct host *h)
{
	line_begin(g, h, "containerd",
		   daemon_pid(g, h, "containerd"));
	put_str(g, "time=\"");
	put_rfc3339(g);
	if (pct(g, 50)) {
		put_str(g, "\" level=info msg=\"shim disconnected\" id=");
		put_rand_hex(g, 64);
		put_str(g, " namespace=moby");
	} else {
		put_str(g, "\" level=info msg=\"loading plugin "
		      "\\\"io.containerd.event.v1.publisher\\\"...\" "
		      "runtime=io.containerd.runc.v2 "
		      "type=io.containerd.event.v1");
	}
	line_end(g);
}

static void noise_kubelet(struct gen *g, struct host *h)
{
	static const char *const pod[] = {
		"default/api-7d9c8b5f6-x2x9z", "monitoring/node-exporter-4kq2p",
		"ingress/ingress-nginx-controller-5c8d6c-qwrt7",
		"batch/etl-28474560-tx2l9", "kube-system/coredns-5d78c9-8xjzv",
	};
	unsigned pid = daemon_pid(g, h, "kubelet");

	line_begin(g, h, "kubelet", pid);
	refresh_stamp(g);
	pf(g, "I%c%c%c%c %.8s.%06u    %u ", g->date[5], g->date[6],
	   g->date[8], g->date[9], g->stamp + 7,
	   (unsigned)(g->now % US_PER_SEC), pid);
	if (pct(g, 50)) {
		pf(g, "kubelet.go:2435] \"SyncLoop (PLEG): event for pod\" "
		   "pod=\"%s\" event={\"ID\":\"", PICK(g, pod));
		put_uuid(g);
		put_str(g, "\",\"Type\":\"ContainerStarted\",\"Data\":\"");
		put_rand_hex(g, 64);
		put_str(g, "\"}");
	} else {
		pf(g, "prober.go:107] \"Probe failed\" probeType=\"Readiness\" "
		   "pod=\"%s\" podUID=\"", PICK(g, pod));
		put_uuid(g);
		put_str(g, "\" containerName=\"app\" probeResult=\"failure\" "
		      "output=\"HTTP probe failed with statuscode: 503\"");
	}
	line_end(g);
}

static void noise_misc(struct gen *g, struct host *h)
{
	switch (rnd(g, 6)) {
	case 0:
		line_begin(g, h, "chronyd",
		   daemon_pid(g, h, "chronyd"));
		put_str(g, "Selected source ");
		put_ip(g);
		pf(g, " (%u.debian.pool.ntp.org)", rnd(g, 4));
		break;
	case 1:
		line_begin(g, h, "systemd-resolved",
		   daemon_pid(g, h, "systemd-resolved"));
		put_str(g, "Clock change detected. Flushing caches.");
		break;
	case 2:
		line_begin(g, h, "rsyslogd", 0);
		pf(g, "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" "
		   "x-pid=\"%u\" x-info=\"https://www.rsyslog.com\"] "
		   "rsyslogd was HUPed", daemon_pid(g, h, "rsyslogd"));
		break;
	case 3:
		line_begin(g, h, "postfix/smtpd", new_pid(g, h));
		put_str(g, "connect from unknown[");
		put_ip(g);
		put_chr(g, ']');
		break;
	case 4:
		line_begin(g, h, "postfix/qmgr",
		   daemon_pid(g, h, "postfix/qmgr"));
		put_rand_hex(g, 10);
		pf(g, ": from=<root@%s.example.com>, size=%u, nrcpt=1 "
		   "(queue active)", h->info->name, range(g, 500, 20000));
		break;
	default:
		line_begin(g, h, "sudo", new_pid(g, h));
		const char *r1 = PICK(g, user_name);
		unsigned r2 = rnd(g, 6);
		const char *r3 = PICK(g, user_name);
		const char *r4 = pct(g, 50) ? "nginx" : "app.service";
		pf(g, "  %s : TTY=pts/%u ; PWD=/home/%s ; USER=root ; "
		   "COMMAND=/usr/bin/systemctl restart %s", r1, r2, r3, r4);
		break;
	}
	line_end(g);
}

typedef void noise_fn(struct gen *g, struct host *h);

static const struct {
	unsigned weight;
	noise_fn *fn;
} noise_tab[] = {
	{ 14, noise_sshd },
	{ 16, noise_systemd },
	{ 5, noise_logind },
	{ 8, noise_cron },
	{ 16, noise_kernel },
	{ 5, noise_nm },
	{ 10, noise_dockerd },
	{ 5, noise_containerd },
	{ 8, noise_kubelet },
	{ 9, noise_misc },
};

static void noise_line(struct gen *g, struct host *h)
{
	unsigned total = 0, r, i;

	for (i = 0; i < ARRAY_SIZE(noise_tab); i++)
		total += noise_tab[i].weight;
	for (;;) {
		r = rnd(g, total);
		for (i = 0; r >= noise_tab[i].weight; i++)
			r -= noise_tab[i].weight;
		if (noise_tab[i].fn != noise_kubelet || h->info->k8s)
			break;
	}
	noise_tab[i].fn(g, h);
}

/* ---- reports ---- */

static void boot(struct gen *g, struct host *h);

static void go_down(struct gen *g, struct host *h, unsigned min_s,
		    unsigned max_s)
{
	unsigned up = 0, i;

	for (i = 0; i < NHOST; i++)
		up += !g->host[i].down;
	if (up < 2) {
		/* Keep one host logging: reboot this one at once. */
		g->now += range(g, min_s, max_s) * US_PER_SEC;
		boot(g, h);
		return;
	}
	h->down = 1;
	h->up_at = g->now + range(g, min_s, max_s) * US_PER_SEC;
}

static void cpu_line(struct gen *g, struct host *h, unsigned cpu,
		     unsigned pid, const char *comm);
static void hw_line(struct gen *g, struct host *h);

/*
 * "Kernel panic - not syncing: <reason>"; when 'comm' is set, panic()
 * dumps the stack of that task first (it does not after an oops).  The
 * host then goes quiet and boots again a few minutes later.
 */
static void panic(struct gen *g, struct host *h, const char *reason,
		  const char *comm, unsigned pid, const char *list)
{
	kl(g, h, "Kernel panic - not syncing: %s", reason);
	if (comm) {
		cpu_line(g, h, rnd(g, h->info->ncpu), pid, comm);
		hw_line(g, h);
		call_trace(g, h, list, 0);
	}
	if (h->info->style == STYLE_OLD)
		kl(g, h, "Kernel Offset: disabled");
	else
		kl(g, h, "Kernel Offset: 0x%x000000 from 0xffffffff81000000 "
		   "(relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
		   range(g, 1, 0x3e));
	kl(g, h, "---[ end Kernel panic - not syncing: %s ]---", reason);
	g->panics++;
	go_down(g, h, 60, 600);
}

static void modules_line(struct gen *g, struct host *h)
{
	kl(g, h, "Modules linked in: %s", h->info->modules);
}

static const char *oops_flags(const struct host *h)
{
	switch (h->info->style) {
	case STYLE_OLD:
		return "SMP ";
	case STYLE_V5:
		return "SMP PTI";
	default:
		return "PREEMPT SMP NOPTI";
	}
}

/* RIP, Code and registers of a kernel-mode report. */
static void rip_block(struct gen *g, struct host *h, const char *list)
{
	struct frame_info f;

	first_frame(g, list, &f);
	kline(g, h);
	put(g, "RIP: 0010:", 10);
	put_frame(g, &f);
	line_end(g);
	code_line(g, h);
	regs(g, h, 0);
}

/* NULL dereference, general protection fault or BUG_ON. */
static void rep_oops(struct gen *g, struct host *h, enum kind k)
{
	const struct stack *s = &PICK(g, crash_stack);
	const struct host_info *hi = h->info;
	int old = hi->style == STYLE_OLD;
	unsigned cpu = rnd(g, hi->ncpu), pid;
	uint64_t fault = 8 * range(g, 0, 64);
	struct frame_info f;
	char comm[32];

	pick_task(g, h, s, comm, sizeof(comm), &pid);
	first_frame(g, s->frames, &f);
	if (k == K_KBUG) {
		kl(g, h, "------------[ cut here ]------------");
		kl(g, h, "kernel BUG at %s:%u!", s->file, range(g, 80, 4000));
		kl(g, h, "invalid opcode: 0000 [#1] %s", oops_flags(h));
	} else if (k == K_GPF) {
		if (old)
			kl(g, h, "general protection fault: 0000 [#1] %s",
			   oops_flags(h));
		else
			kl(g, h, "general protection fault, probably for "
			   "non-canonical address 0x%016" PRIx64 ": 0000 [#1] "
			   "%s", pct(g, 50) ? UINT64_C(0xdead000000000122) :
			   UINT64_C(0xdffffc0000000000) + rnd(g, 0x100),
			   oops_flags(h));
	} else if (old) {
		kl(g, h, "BUG: unable to handle kernel NULL pointer "
		   "dereference at %016" PRIx64, fault);
		kline(g, h);
		pf(g, "IP: [<%016" PRIx64 ">] ", f.addr);
		put_frame(g, &f);
		line_end(g);
		uint64_t r9 = rbits(g, UINT64_C(0x7fffff067));
		uint64_t r10 = rbits(g, UINT64_C(0x7fffff067));
		kl(g, h, "PGD %" PRIx64 " PUD %" PRIx64 " PMD 0 ", r9, r10);
		kl(g, h, "Oops: 0000 [#1] %s", oops_flags(h));
	} else {
		kl(g, h, "BUG: kernel NULL pointer dereference, address: "
		   "%016" PRIx64, fault);
		kl(g, h, "#PF: supervisor %s access in kernel mode",
		   pct(g, 70) ? "read" : "write");
		kl(g, h, "#PF: error_code(0x%04x) - not-present page",
		   pct(g, 70) ? 0u : 2u);
		kl(g, h, "PGD 0 P4D 0 ");
		kl(g, h, "Oops: 0000 [#1] %s", oops_flags(h));
	}
	if (old) {
		modules_line(g, h);
		cpu_line(g, h, cpu, pid, comm);
		hw_line(g, h);
		uint64_t ti = KHEAP + rbits(g, UINT64_C(0x7fffc000));

		kl(g, h, "task: %016" PRIx64 " ti: %016" PRIx64 " task.ti: "
		   "%016" PRIx64, KHEAP + rbits(g, UINT64_C(0x7fffffc0)), ti,
		   ti);
		kline(g, h);
		pf(g, "RIP: 0010:[<%016" PRIx64 ">]  [<%016" PRIx64 ">] ",
		   f.addr, f.addr);
		put_frame(g, &f);
		line_end(g);
		regs(g, h, 0);
		kl(g, h, "Stack:");
		uint64_t r5 = reg_value(g);
		uint64_t r6 = reg_value(g);
		uint64_t r7 = reg_value(g);
		uint64_t r8 = reg_value(g);
		kl(g, h, " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016"
		   PRIx64, r5, r6, r7, r8);
		uint64_t r1 = reg_value(g);
		uint64_t r2 = reg_value(g);
		uint64_t r3 = reg_value(g);
		uint64_t r4 = reg_value(g);
		kl(g, h, " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016"
		   PRIx64, r1, r2, r3, r4);
		call_trace(g, h, s->frames, 1);
		code_line(g, h);
		kline(g, h);
		pf(g, "RIP  [<%016" PRIx64 ">] ", f.addr);
		put_frame(g, &f);
		line_end(g);
		kl(g, h, " RSP <%016" PRIx64 ">",
		   KHEAP + rbits(g, UINT64_C(0x7ffffff8)));
		if (k == K_NULL)
			kl(g, h, "CR2: %016" PRIx64, fault);
		end_trace(g, h);
	} else {
		cpu_line(g, h, cpu, pid, comm);
		hw_line(g, h);
		rip_block(g, h, s->frames);
		call_trace(g, h, s->frames, 1);
		modules_line(g, h);
		if (k == K_NULL)
			kl(g, h, "CR2: %016" PRIx64, fault);
		end_trace(g, h);
		rip_block(g, h, s->frames);
	}
	if (permille(g, 15))
		panic(g, h, pct(g, 80) ? "Fatal exception" :
		      "Fatal exception in interrupt", NULL, 0, NULL);
}

static void rep_warn(struct gen *g, struct host *h)
{
	const struct stack *s = &PICK(g, crash_stack);
	const struct host_info *hi = h->info;
	unsigned cpu = rnd(g, hi->ncpu), pid;
	int refcount = pct(g, 20);
	struct frame_info f;
	char comm[32];

	pick_task(g, h, s, comm, sizeof(comm), &pid);
	kl(g, h, "------------[ cut here ]------------");
	if (refcount)
		kl(g, h, "refcount_t: underflow; use-after-free.");
	kline(g, h);
	pf(g, "WARNING: CPU: %u PID: %u at %s:%u ", cpu, pid,
	   refcount ? "lib/refcount.c" : s->file,
	   refcount ? 28u : range(g, 80, 4000));
	first_frame(g, refcount ? "refcount_warn_saturate" : s->frames, &f);
	put_frame(g, &f);
	if (hi->style == STYLE_OLD)
		put(g, "()", 2);
	line_end(g);
	modules_line(g, h);
	cpu_line(g, h, cpu, pid, comm);
	hw_line(g, h);
	if (hi->style == STYLE_OLD) {
		call_trace(g, h, s->frames, 0);
	} else {
		rip_block(g, h, refcount ? "refcount_warn_saturate" :
			  s->frames);
		call_trace(g, h, s->frames, refcount ? 0 : 1);
	}
	end_trace(g, h);
}

static void task_row(struct gen *g, struct host *h, unsigned pid,
		     unsigned uid, unsigned total_vm, unsigned rss,
		     int adj, const char *comm)
{
	if (h->info->style == STYLE_OLD)
		kl(g, h, "[%5u] %5u %5u %8u %8u %7u %7u %8u %13d %s", pid,
		   uid, pid, total_vm, rss, rss / 512 + 8, 3u, 0u, adj, comm);
	else
		kl(g, h, "[%7u] %5u %7u %8u %8u %8u %8u %13d %s", pid, uid,
		   pid, total_vm, rss, (rss / 512 + 8) * 4096, 0u, adj, comm);
}

/* Long-running tasks in start-up order, then the many-of-a-kind ones. */
static const char *const boot_comm[] = {
	"systemd-journal", "systemd-udevd", "multipathd", "systemd-timesyn",
	"systemd-resolve", "systemd-network", "dbus-daemon", "irqbalance",
	"rsyslogd", "snapd", "systemd-logind", "udisksd", "cron", "atd",
	"polkitd", "NetworkManager", "chronyd", "containerd", "sshd",
	"agetty", "dockerd", "node_exporter", "unattended-upgr", "master",
	"qmgr", "fwupd", "packagekitd", "systemd",
};

static const char *const worker_comm[] = {
	"containerd-shim", "bash", "sh", "php-fpm8.2", "nginx", "python3",
	"postgres", "sshd", "sleep", "java",
};

/* "Tasks state" table; the victim is the biggest, near the end. */
static void task_table(struct gen *g, struct host *h, unsigned n,
		       unsigned victim_pid, const char *victim,
		       unsigned victim_rss)
{
	unsigned i, pid = range(g, 300, 700), at = n - 1 - rnd(g, n / 4 + 1);
	unsigned rss;

	if (h->info->style == STYLE_OLD) {
		kl(g, h, "[ pid ]   uid  tgid total_vm      rss nr_ptes "
		   "nr_pmds swapents oom_score_adj name");
	} else {
		kl(g, h, "Tasks state (memory values in pages):");
		kl(g, h, "[  pid  ]   uid  tgid total_vm      rss "
		   "pgtables_bytes swapents oom_score_adj name");
	}
	for (i = 0; i < n; i++) {
		if (i == at) {
			task_row(g, h, victim_pid, 0, victim_rss +
				 range(g, 1000, 900000), victim_rss, 0, victim);
			pid = victim_pid;
			continue;
		}
		pid += range(g, 1, 900);
		rss = range(g, 30, 20000);
		unsigned r1 = pct(g, 70) ? 0u : range(g, 100, 1001);
		unsigned r2 = rss + range(g, 1000, 400000);
		int r3 = pct(g, 85) ? 0 : pct(g, 50) ? -1000 : -999;
		const char *r4 = i < ARRAY_SIZE(boot_comm) ? boot_comm[i] :
				 PICK(g, worker_comm);
		task_row(g, h, pid, r1, r2, rss, r3, r4);
	}
}

static void mem_info(struct gen *g, struct host *h, int full)
{
	unsigned dma32[4], normal[4], i;
	static const unsigned order_kb[4] = { 4, 8, 16, 32 };
	uint64_t sum32 = 0, sumn = 0;
	unsigned ram = h->info->mem_gb * 262144u;

	kl(g, h, "Mem-Info:");
	unsigned r12 = ram / 10 * 9 + rnd(g, 10000);
	unsigned r13 = rnd(g, 100000);
	unsigned r14 = rnd(g, 20000);
	unsigned r15 = rnd(g, 20000);
	unsigned r16 = rnd(g, 500);
	unsigned r17 = rnd(g, 4000);
	unsigned r18 = rnd(g, 100);
	unsigned r19 = rnd(g, 200);
	unsigned r20 = range(g, 20000, 400000);
	unsigned r21 = range(g, 10000, 90000);
	unsigned r22 = rnd(g, 40000);
	unsigned r23 = rnd(g, 300000);
	unsigned r24 = range(g, 5000, 90000);
	unsigned r25 = range(g, 30000, 60000);
	unsigned r26 = rnd(g, 300);
	kl(g, h, "active_anon:%u inactive_anon:%u isolated_anon:0#012 "
	   "active_file:%u inactive_file:%u isolated_file:%u#012 "
	   "unevictable:%u dirty:%u writeback:%u#012 slab_reclaimable:%u "
	   "slab_unreclaimable:%u#012 mapped:%u shmem:%u pagetables:%u "
	   "bounce:0#012 free:%u free_pcp:%u free_cma:0", r12, r13, r14,
	   r15, r16, r17, r18, r19, r20, r21, r22, r23, r24, r25, r26);
	if (!full)
		return;
	kl(g, h, "Node 0 DMA free:15360kB boost:0kB min:32kB low:44kB "
	   "high:56kB reserved_highatomic:0KB active_anon:0kB "
	   "inactive_anon:0kB active_file:0kB inactive_file:0kB "
	   "unevictable:0kB writepending:0kB present:15992kB "
	   "managed:15360kB mlocked:0kB bounce:0kB free_pcp:0kB "
	   "local_pcp:0kB free_cma:0kB");
	kl(g, h, "lowmem_reserve[]: 0 2910 %u %u %u", ram / 256,
	   ram / 256, ram / 256);
	for (i = 0; i < 4; i++) {
		dma32[i] = rnd(g, 5000);
		normal[i] = rnd(g, 12000);
		sum32 += (uint64_t)dma32[i] * order_kb[i];
		sumn += (uint64_t)normal[i] * order_kb[i];
	}
	unsigned r8 = range(g, 2000000, 2900000);
	unsigned r9 = rnd(g, 9000);
	unsigned r10 = rnd(g, 9000);
	unsigned r11 = rnd(g, 9000);
	kl(g, h, "Node 0 DMA32 free:%" PRIu64 "kB boost:0kB min:6172kB "
	   "low:7712kB high:9256kB reserved_highatomic:0KB "
	   "active_anon:%ukB inactive_anon:%ukB active_file:%ukB "
	   "inactive_file:%ukB unevictable:0kB writepending:0kB "
	   "present:3129212kB managed:3048336kB mlocked:0kB bounce:0kB "
	   "free_pcp:0kB local_pcp:0kB free_cma:0kB", sum32, r8, r9, r10, r11);
	kl(g, h, "lowmem_reserve[]: 0 0 %u %u %u", ram / 256 - 2910,
	   ram / 256 - 2910, ram / 256 - 2910);
	unsigned r1 = rnd(g, 400000);
	unsigned r2 = rnd(g, 90000);
	unsigned r3 = rnd(g, 90000);
	unsigned r4 = rnd(g, 4000);
	unsigned r5 = rnd(g, 1000);
	unsigned r6 = rnd(g, 4000);
	unsigned r7 = rnd(g, 500);
	kl(g, h, "Node 0 Normal free:%" PRIu64 "kB boost:0kB min:61376kB "
	   "low:76720kB high:92064kB reserved_highatomic:2048KB "
	   "active_anon:%ukB inactive_anon:%ukB active_file:%ukB "
	   "inactive_file:%ukB unevictable:%ukB writepending:%ukB "
	   "present:%ukB managed:%ukB mlocked:%ukB bounce:0kB "
	   "free_pcp:%ukB local_pcp:0kB free_cma:0kB", sumn,
	   ram / 10 * 36, r1, r2, r3, r4, r5, ram * 4, ram * 4 - 600000,
	   r6, r7);
	kl(g, h, "lowmem_reserve[]: 0 0 0 0 0");
	kl(g, h, "Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB "
	   "0*256kB 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = "
	   "15360kB");
	kl(g, h, "Node 0 DMA32: %u*4kB (UME) %u*8kB (UME) %u*16kB (UME) "
	   "%u*32kB (UM) 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB "
	   "0*4096kB = %" PRIu64 "kB", dma32[0], dma32[1], dma32[2],
	   dma32[3], sum32);
	kl(g, h, "Node 0 Normal: %u*4kB (UMEH) %u*8kB (UMEH) %u*16kB "
	   "(UMEH) %u*32kB (UMH) 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB "
	   "0*2048kB 0*4096kB = %" PRIu64 "kB", normal[0], normal[1],
	   normal[2], normal[3], sumn);
	kl(g, h, "Node 0 hugepages_total=0 hugepages_free=0 "
	   "hugepages_surp=0 hugepages_size=1048576kB");
	kl(g, h, "Node 0 hugepages_total=0 hugepages_free=0 "
	   "hugepages_surp=0 hugepages_size=2048kB");
	kl(g, h, "%u total pagecache pages", range(g, 20000, 200000));
	kl(g, h, "0 pages in swap cache");
	if (h->info->style == STYLE_OLD)
		kl(g, h, "Swap cache stats: add 0, delete 0, find 0/0");
	kl(g, h, "Free swap  = 0kB");
	kl(g, h, "Total swap = 0kB");
	kl(g, h, "%u pages RAM", ram);
	kl(g, h, "0 pages HighMem/MovableOnly");
	kl(g, h, "%u pages reserved", range(g, 100000, 200000));
	kl(g, h, "0 pages hwpoisoned");
}

static void rep_oom(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	int old = hi->style == STYLE_OLD;
	const char *victim = PICK(g, user_comm);
	const char *trigger = pct(g, 60) ? victim : PICK(g, user_comm);
	unsigned vpid = new_pid(g, h), tpid = trigger == victim ? vpid :
					       new_pid(g, h);
	unsigned rss = hi->mem_gb * 200000u + rnd(g, 100000);

	if (old)
		kl(g, h, "%s invoked oom-killer: gfp_mask=0x24280ca, "
		   "order=0, oom_score_adj=0", trigger);
	else
		kl(g, h, "%s invoked oom-killer: gfp_mask=0x140cca"
		   "(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, "
		   "oom_score_adj=0", trigger);
	if (old)
		kl(g, h, "%s cpuset=/ mems_allowed=0", trigger);
	cpu_line(g, h, rnd(g, hi->ncpu), tpid, trigger);
	hw_line(g, h);
	call_trace(g, h, oom_frames[!old], 0);
	mem_info(g, h, 1);
	task_table(g, h, range(g, 12, 60), vpid, victim, rss);
	if (old) {
		kl(g, h, "Out of memory: Kill process %u (%s) score %u or "
		   "sacrifice child", vpid, victim, range(g, 500, 990));
		unsigned r3 = rss * 4 + range(g, 1000, 900000);
		unsigned r4 = rnd(g, 9000) * 4;
		kl(g, h, "Killed process %u (%s) total-vm:%ukB, "
		   "anon-rss:%ukB, file-rss:%ukB", vpid, victim, r3, rss * 4,
		   r4);
		return;
	}
	kl(g, h, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),"
	   "cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/"
	   "%s.service,task=%s,pid=%u,uid=0", victim, victim, vpid);
	unsigned r1 = rss * 4 + range(g, 1000, 900000);
	unsigned r2 = rnd(g, 9000) * 4;
	kl(g, h, "Out of memory: Killed process %u (%s) total-vm:%ukB, "
	   "anon-rss:%ukB, file-rss:%ukB, shmem-rss:0kB, UID:0 "
	   "pgtables:%ukB oom_score_adj:0", vpid, victim, r1, rss * 4, r2,
	   rss / 128);
	if (pct(g, 50))
		kl(g, h, "oom_reaper: reaped process %u (%s), now "
		   "anon-rss:0kB, file-rss:0kB, shmem-rss:0kB", vpid, victim);
	if (permille(g, 5))
		panic(g, h, "Out of memory: system-wide panic_on_oom is "
		      "enabled", trigger, tpid, "dump_stack_lvl panic "
		      "out_of_memory.cold __alloc_pages_slowpath.constprop.0 "
		      "__alloc_pages handle_mm_fault do_user_addr_fault "
		      "exc_page_fault asm_exc_page_fault");
}

static void rep_memcg_oom(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	const char *victim = PICK(g, user_comm);
	unsigned vpid = new_pid(g, h);
	unsigned limit = 262144u << rnd(g, 5);
	char cg[160];
	int n;

	uint64_t r16 = rbits(g, UINT64_C(0xffffffff));
	unsigned r17 = rnd(g, 0x10000);
	n = snprintf(cg, sizeof(cg), "/kubepods.slice/kubepods-burstable."
		     "slice/kubepods-burstable-pod%08" PRIx64 "_%04x.slice",
		     r16, r17);
	if (n < 0 || (size_t)n >= sizeof(cg))
		die_internal("cgroup path");
	kl(g, h, "%s invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), "
	   "order=0, oom_score_adj=%d", victim, 985);
	cpu_line(g, h, rnd(g, hi->ncpu), vpid, victim);
	hw_line(g, h);
	call_trace(g, h, memcg_frames, 0);
	kl(g, h, "memory: usage %ukB, limit %ukB, failcnt %u", limit,
	   limit, range(g, 1, 90000));
	kl(g, h, "memory+swap: usage %ukB, limit 9007199254740988kB, "
	   "failcnt 0", limit);
	if (hi->style == STYLE_V5)
		kl(g, h, "kmem: usage %ukB, limit 9007199254740988kB, "
		   "failcnt 0", rnd(g, limit / 8));
	kl(g, h, "Memory cgroup stats for %s:", cg);
	unsigned r4 = rnd(g, 4000000);
	unsigned r5 = rnd(g, 9000000);
	unsigned r6 = rnd(g, 300000);
	unsigned r7 = rnd(g, 3000000);
	unsigned r8 = rnd(g, 3000);
	unsigned r9 = rnd(g, 900000);
	unsigned r10 = rnd(g, 2) << 21;
	unsigned r11 = rnd(g, 900000);
	unsigned r12 = rnd(g, 900000);
	unsigned r13 = rnd(g, 900000);
	unsigned r14 = rnd(g, 90000);
	unsigned r15 = rnd(g, 900000);
	kl(g, h, "anon %u#012file %u#012kernel %u#012kernel_stack %u#012"
	   "pagetables %u#012percpu %u#012sock 0#012vmalloc 0#012shmem 0"
	   "#012file_mapped %u#012file_dirty 0#012file_writeback 0#012"
	   "swapcached 0#012anon_thp %u#012inactive_anon %u#012"
	   "active_anon %u#012inactive_file %u#012active_file %u#012"
	   "unevictable 0#012slab_reclaimable %u#012slab_unreclaimable %u",
	   limit * 1000, r4, r5, r6, r7, r8, r9, r10,
	   limit * 990, r11, r12, r13, r14, r15);
	task_table(g, h, range(g, 2, 6), vpid, victim, limit / 4);
	kline(g, h);
	put_str(g, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
	      "cpuset=cri-containerd-");
	put_rand_hex(g, 64);
	pf(g, ".scope,mems_allowed=0,oom_memcg=%s,task_memcg=%s,task=%s,"
	   "pid=%u,uid=0", cg, cg, victim, vpid);
	line_end(g);
	unsigned r1 = limit + range(g, 1000, 900000);
	unsigned r2 = limit - rnd(g, 1000);
	unsigned r3 = rnd(g, 9000);
	kl(g, h, "Memory cgroup out of memory: Killed process %u (%s) "
	   "total-vm:%ukB, anon-rss:%ukB, file-rss:%ukB, shmem-rss:0kB, "
	   "UID:0 pgtables:%ukB oom_score_adj:985", vpid, victim, r1, r2,
	   r3, limit / 512);
}

static void rep_alloc_fail(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	const char *comm = PICK(g, user_comm);
	unsigned pid = new_pid(g, h);

	kl(g, h, "%s: page allocation failure: order:%u, "
	   "mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null),cpuset=/,"
	   "mems_allowed=0", comm, range(g, 3, 6));
	cpu_line(g, h, rnd(g, hi->ncpu), pid, comm);
	hw_line(g, h);
	call_trace(g, h, alloc_fail_frames, 0);
	mem_info(g, h, 0);
}

static void rep_hung(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	unsigned n = range(g, 1, 3), i, secs = 120 + 121 * rnd(g, 4), pid;
	char comm[32];

	for (i = 0; i < n; i++) {
		const struct stack *s = &PICK(g, sleep_stack);

		pick_task(g, h, s, comm, sizeof(comm), &pid);
		kl(g, h, "INFO: task %s:%u blocked for more than %u seconds.",
		   comm, pid, secs);
		kl(g, h, "      %s %s %.*s", hi->taint, hi->release,
		   build_tag_len(hi), hi->build);
		kl(g, h, "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\""
		   " disables this message.");
		if (hi->style == STYLE_OLD) {
			kl(g, h, "%-15s D %016" PRIx64 "     0 %5u      2 "
			   "0x00000000", comm, reg_value(g), pid);
			uint64_t r3 = reg_value(g);
			uint64_t r4 = reg_value(g);
			uint64_t r5 = reg_value(g);
			uint64_t r6 = reg_value(g);
			kl(g, h, " %016" PRIx64 " %016" PRIx64 " %016" PRIx64
			   " %016" PRIx64, r3, r4, r5, r6);
		} else {
			unsigned r1 = rnd(g, 30000);
			unsigned r2 = range(g, 1, 4000);
			kl(g, h, "task:%-15s state:D stack:%-5u pid:%-5u "
			   "ppid:%-6u flags:0x%08x", comm, r1, pid,
			   r2, 0x4000u);
		}
		call_trace(g, h, s->frames, 0);
	}
	if (permille(g, 10))
		panic(g, h, "hung_task: blocked tasks", "khungtaskd",
		      range(g, 30, 200), "dump_stack_lvl panic watchdog "
		      "kthread ret_from_fork");
}

static void rep_lockup(struct gen *g, struct host *h, enum kind k)
{
	const struct stack *s = &PICK(g, crash_stack);
	const struct host_info *hi = h->info;
	unsigned cpu = rnd(g, hi->ncpu), pid;
	char comm[32];

	pick_task(g, h, s, comm, sizeof(comm), &pid);
	if (k == K_HARD) {
		kl(g, h, "watchdog: Watchdog detected hard LOCKUP on cpu %u",
		   cpu);
	} else {
		kl(g, h, "%swatchdog: BUG: soft lockup - CPU#%u stuck for "
		   "%us! [%s:%u]", hi->style == STYLE_OLD ? "NMI " : "",
		   cpu, range(g, 22, 140), comm, pid);
	}
	modules_line(g, h);
	if (hi->style != STYLE_OLD)
		kl(g, h, "irq event stamp: %u", range(g, 1000, 900000));
	cpu_line(g, h, cpu, pid, comm);
	hw_line(g, h);
	rip_block(g, h, s->frames);
	call_trace(g, h, s->frames, 1);
	if (k == K_HARD && permille(g, 200))
		panic(g, h, "Hard LOCKUP", comm, pid, "dump_stack_lvl panic "
		      "nmi_panic watchdog_hardlockup_check "
		      "watchdog_overflow_callback __perf_event_overflow "
		      "handle_pmi_common intel_pmu_handle_irq "
		      "perf_event_nmi_handler nmi_handle default_do_nmi "
		      "exc_nmi end_repeat_nmi");
	else if (k == K_SOFT && permille(g, 10))
		panic(g, h, "softlockup: hung tasks", comm, pid,
		      "dump_stack_lvl panic watchdog_timer_fn.cold "
		      "__hrtimer_run_queues hrtimer_interrupt "
		      "__sysvec_apic_timer_interrupt "
		      "sysvec_apic_timer_interrupt");
}

static void rep_rcu(struct gen *g, struct host *h)
{
	const struct stack *s = &PICK(g, crash_stack);
	const struct host_info *hi = h->info;
	unsigned cpu = rnd(g, hi->ncpu), pid, ticks = range(g, 5000, 60000);
	char comm[32];

	pick_task(g, h, s, comm, sizeof(comm), &pid);
	if (hi->style == STYLE_OLD) {
		kl(g, h, "INFO: rcu_sched detected stalls on CPUs/tasks:");
		unsigned r11 = rnd(g, 0x1000);
		unsigned r12 = rnd(g, 900000);
		unsigned r13 = rnd(g, 900000);
		kl(g, h, "\t%u-...: (%u ticks this GP) idle=%x/140000000000001"
		   "/0 softirq=%u/%u fqs=%u ", cpu, ticks, r11,
		   r12, r13, ticks / 2);
		unsigned r8 = rnd(g, 9000000);
		unsigned r9 = rnd(g, 9000000);
		unsigned r10 = rnd(g, 2000);
		kl(g, h, "\t(detected by %u, t=%u jiffies, g=%u, c=%u, q=%u)",
		   (cpu + 1) % hi->ncpu, ticks + 3, r8, r9, r10);
		kl(g, h, "Task dump for CPU %u:", cpu);
		unsigned r6 = rnd(g, 30000);
		unsigned r7 = range(g, 1, 4000);
		kl(g, h, "%-15s R  running task    %5u %5u %6u 0x00000008",
		   comm, r6, pid, r7);
		call_trace(g, h, s->frames, 0);
		return;
	}
	kl(g, h, "rcu: INFO: %s self-detected stall on CPU",
	   hi->style == STYLE_V6 ? "rcu_preempt" : "rcu_sched");
	unsigned r3 = rnd(g, 0x10000);
	unsigned r4 = rnd(g, 900000);
	unsigned r5 = rnd(g, 900000);
	kl(g, h, "rcu: \t%u-....: (%u ticks this GP) idle=%04x/1/"
	   "0x4000000000000000 softirq=%u/%u fqs=%u", cpu, ticks,
	   r3, r4, r5, ticks / 2);
	unsigned r1 = rnd(g, 9000000);
	unsigned r2 = rnd(g, 2000);
	kl(g, h, "\t(t=%u jiffies g=%u q=%u ncpus=%u)", ticks + 1,
	   r1, r2, hi->ncpu);
	cpu_line(g, h, cpu, pid, comm);
	hw_line(g, h);
	rip_block(g, h, s->frames);
	kl(g, h, "Call Trace:");
	kl(g, h, " <IRQ>");
	frames(g, h, rcu_irq_frames, 0);
	kl(g, h, " </IRQ>");
	kl(g, h, " <TASK>");
	frames(g, h, "asm_sysvec_apic_timer_interrupt", 0);
	frames(g, h, s->frames, 1);
	kl(g, h, " </TASK>");
}

static void rep_io(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	unsigned n = range(g, 1, 4), i, tag = rnd(g, 32);
	uint64_t sector = rnd64(g) % UINT64_C(1900000000);
	int write = pct(g, 30);
	int nvme = hi->disk[0] == 'n';
	int old = hi->style == STYLE_OLD;

	if (nvme) {
		unsigned r9 = rnd(g, 1024);
		unsigned r10 = range(g, 1, 8);
		kl(g, h, "nvme nvme0: I/O %u QID %u timeout, aborting",
		   r9, r10);
		kl(g, h, "nvme nvme0: Abort status: 0x0");
	} else if (pct(g, 50)) {
		unsigned r7 = range(g, 1, 6);
		unsigned r8 = rnd(g, 0x10000);
		kl(g, h, "ata%u.00: exception Emask 0x0 SAct 0x%x SErr 0x0 "
		   "action 0x0", r7, r8);
		kl(g, h, "ata1.00: irq_stat 0x40000008");
		kl(g, h, "ata1.00: failed command: %s FPDMA QUEUED",
		   write ? "WRITE" : "READ");
		unsigned r4 = rnd(g, 256);
		unsigned r5 = rnd(g, 256);
		unsigned r6 = rnd(g, 256);
		kl(g, h, "ata1.00: cmd %s/08:%02x:%02x:%02x:%02x/00:00:00:00:"
		   "00/40 tag %u ncq dma 4096 in", write ? "61" : "60",
		   tag * 8, r4, r5, r6, tag);
		unsigned r1 = rnd(g, 256);
		unsigned r2 = rnd(g, 256);
		unsigned r3 = rnd(g, 256);
		kl(g, h, "         res 41/40:00:%02x:%02x:%02x/00:00:00:00:00/"
		   "40 Emask 0x409 (media error) <F>", r1, r2, r3);
		kl(g, h, "ata1.00: status: { DRDY ERR }");
		kl(g, h, "ata1.00: error: { UNC }");
		kl(g, h, "ata1.00: configured for UDMA/133");
	} else {
		kl(g, h, "sd 2:0:0:0: [%s] tag#%u FAILED Result: "
		   "hostbyte=DID_OK driverbyte=DRIVER_OK cmd_age=%us",
		   hi->disk, tag, range(g, 0, 30));
		kl(g, h, "sd 2:0:0:0: [%s] tag#%u Sense Key : Medium Error "
		   "[current] ", hi->disk, tag);
		kl(g, h, "sd 2:0:0:0: [%s] tag#%u Add. Sense: Unrecovered "
		   "read error - auto reallocate failed", hi->disk, tag);
		kl(g, h, "sd 2:0:0:0: [%s] tag#%u CDB: %s(10) %s 00 %02x %02x "
		   "%02x %02x 00 00 08 00", hi->disk, tag,
		   write ? "Write" : "Read", write ? "2a" : "28",
		   (unsigned)(sector >> 24 & 255),
		   (unsigned)(sector >> 16 & 255),
		   (unsigned)(sector >> 8 & 255), (unsigned)(sector & 255));
	}
	for (i = 0; i < n; i++) {
		if (old)
			kl(g, h, "blk_update_request: I/O error, dev %s, "
			   "sector %" PRIu64, hi->disk, sector);
		else
			kl(g, h, "%sI/O error, dev %s, sector %" PRIu64
			   " op 0x%u:(%s) flags 0x%x phys_seg %u prio class %u",
			   hi->style == STYLE_V5 ? "blk_update_request: " :
			   "", hi->disk, sector, write, write ? "WRITE" :
			   "READ", write ? 0x800u : 0x80700u, range(g, 1, 8),
			   hi->style == STYLE_V6 ? 2u : 0u);
		sector += 8 * range(g, 1, 64);
	}
	if (pct(g, 60))
		kl(g, h, "Buffer I/O error on dev %s, logical block %" PRIu64
		   ", %s", hi->part, sector / 8, write ?
		   "lost async page write" : "async page read");
}

static void rep_ext4(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	const char *dev = hi->part;
	const char *comm = PICK(g, user_comm);

	switch (rnd(g, 4)) {
	case 0: {
		unsigned r9 = range(g, 1400, 1700);
		unsigned r10 = range(g, 2, 9000000);
		kl(g, h, "EXT4-fs error (device %s): ext4_find_entry:%u: "
		   "inode #%u: comm %s: reading directory lblock 0", dev,
		   r9, r10, comm);
		break;
	}
	case 1: {
		unsigned r6 = range(g, 380, 440);
		unsigned r7 = rnd(g, 9);
		unsigned r8 = rnd(g, 30000);
		kl(g, h, "EXT4-fs error (device %s): "
		   "ext4_validate_block_bitmap:%u: comm kworker/u16:%u: bg "
		   "%u: bad block bitmap checksum", dev, r6, r7, r8);
		break;
	}
	case 2: {
		unsigned r3 = range(g, 1700, 1900);
		unsigned r4 = range(g, 2, 9000000);
		unsigned r5 = range(g, 2, 9000000);
		kl(g, h, "EXT4-fs error (device %s): ext4_lookup:%u: inode "
		   "#%u: comm %s: deleted inode referenced: %u", dev,
		   r3, r4, comm, r5);
		break;
	}
	default: {
		unsigned r1 = range(g, 2300, 2500);
		unsigned r2 = range(g, 2, 9000000);
		kl(g, h, "EXT4-fs warning (device %s): ext4_dx_add_entry:%u: "
		   "Directory (ino: %u) index full, reach max htree level :2",
		   dev, r1, r2);
		kl(g, h, "EXT4-fs warning (device %s): ext4_dx_add_entry:%u: "
		   "Large directory feature is not enabled on this "
		   "filesystem", dev, range(g, 2300, 2500));
		return;
	}
	}
	if (pct(g, 25)) {
		kl(g, h, "Aborting journal on device %s-8.", dev);
		kl(g, h, "EXT4-fs (%s): Remounting filesystem read-only", dev);
	}
}

static void rep_xfs(struct gen *g, struct host *h)
{
	const char *dev = h->info->part;
	unsigned i;

	unsigned r1 = range(g, 0x100, 0x6a0);
	unsigned r2 = rnd(g, 0x10000000);
	kl(g, h, "XFS (%s): Metadata corruption detected at "
	   "xfs_dinode_verify+0x%x/0x6b0 [xfs], inode 0x%x dinode", dev,
	   r1, r2);
	kl(g, h, "XFS (%s): Unmount and run xfs_repair", dev);
	kl(g, h, "XFS (%s): First 128 bytes of corrupted metadata buffer:",
	   dev);
	for (i = 0; i < 8; i++) {
		kline(g, h);
		pf(g, "%08x: ", i * 16);
		put_rand_hex(g, 8);
		put_chr(g, ' ');
		put_rand_hex(g, 8);
		put_chr(g, ' ');
		put_rand_hex(g, 8);
		put_chr(g, ' ');
		put_rand_hex(g, 8);
		put(g, "  ................", 18);
		line_end(g);
	}
	kl(g, h, "XFS (%s): metadata I/O error in \"xfs_imap_to_bp+0x5e/0xa0 "
	   "[xfs]\" at daddr 0x%x len 32 error 117", dev, rnd(g, 0x10000000));
	if (pct(g, 30)) {
		kl(g, h, "XFS (%s): xfs_do_force_shutdown(0x1) called from "
		   "line %u of file fs/xfs/xfs_trans_buf.c. Return address = "
		   "0000000049c4b6d6", dev, range(g, 200, 400));
		kl(g, h, "XFS (%s): Corruption of in-memory data detected.  "
		   "Shutting down filesystem", dev);
		kl(g, h, "XFS (%s): Please unmount the filesystem and rectify "
		   "the problem(s)", dev);
	}
}

static void rep_segv(struct gen *g, struct host *h)
{
	const char *comm = PICK(g, user_comm);
	const char *lib = PICK(g, lib_name);
	unsigned pid = new_pid(g, h);
	uint64_t base = UMMAP + rbits(g, UINT64_C(0xffff000000));
	uint64_t ip = base + rnd(g, 0x190000);
	uint64_t sp = USTACK + rbits(g, UINT64_C(0xfffffff0));

	kline(g, h);
	switch (rnd(g, 5)) {
	case 0:
		pf(g, "traps: %s[%u] general protection fault ip:%" PRIx64
		   " sp:%" PRIx64 " error:0 in %s[%" PRIx64 "+%x]", comm, pid,
		   ip, sp, lib, base, 0x195000u);
		line_end(g);
		break;
	case 1:
		pf(g, "traps: %s[%u] trap invalid opcode ip:%" PRIx64
		   " sp:%" PRIx64 " error:0 in %s[%" PRIx64 "+%x]", comm, pid,
		   ip, sp, comm, base, 0x2b0000u);
		line_end(g);
		break;
	default: {
		uint64_t r3 = pct(g, 50) ? (uint64_t)0 : reg_value(g);
		unsigned r4 = 4 + 2 * rnd(g, 2);
		pf(g, "%s[%u]: segfault at %" PRIx64 " ip %016" PRIx64
		   " sp %016" PRIx64 " error %u in %s[%" PRIx64 "+%x]", comm,
		   pid, r3, ip, sp, r4, lib, base, 0x195000u);
		if (h->info->style != STYLE_OLD) {
			unsigned cpu = rnd(g, h->info->ncpu);

			pf(g, " likely on CPU %u (core %u, socket 0)", cpu,
			   cpu / 2);
		}
		line_end(g);
		if (h->info->style != STYLE_OLD)
			code_line(g, h);
		break;
	}
	}
	if (pct(g, 50)) {
		line_begin(g, h, "systemd-coredump", new_pid(g, h));
		pf(g, "Process %u (%s) of user %u dumped core.", pid, comm,
		   pct(g, 50) ? 0u : range(g, 33, 1001));
		line_end(g);
	}
}

static void rep_hw(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	unsigned cpu = rnd(g, hi->ncpu);

	switch (rnd(g, 4)) {
	case 0:
		kl(g, h, "mce: [Hardware Error]: Machine check events logged");
		unsigned r3 = range(g, 1, 3);
		unsigned r4 = rnd(g, 3);
		unsigned r5 = rnd(g, 3);
		unsigned r6 = rnd(g, 0x1000000);
		unsigned r7 = 1u << rnd(g, 3);
		unsigned r8 = rnd(g, 2);
		kl(g, h, "EDAC MC0: %u CE memory read error on "
		   "CPU_SrcID#0_Ha#0_Chan#%u_DIMM#0 (channel:%u slot:0 "
		   "page:0x%x offset:0x0 grain:32 syndrome:0x0 - "
		   "err_code:0x0000:0x009f socket:0 ha:0 channel_mask:%u "
		   "rank:%u)", r3, r4, r5, r6, r7, r8);
		break;
	case 1: {
		unsigned r1 = range(g, 5, 12);
		uint64_t r2 = UINT64_C(0xcc00008000010090) + rnd(g, 0x100);
		kl(g, h, "mce: [Hardware Error]: CPU %u: Machine Check: 0 "
		   "Bank %u: %016" PRIx64, cpu, r1, r2);
		kl(g, h, "mce: [Hardware Error]: TSC 0 ADDR %" PRIx64 " MISC "
		   "%x ", rbits(g, UINT64_C(0xffffffffff)), 0x140a4086u);
		kl(g, h, "mce: [Hardware Error]: PROCESSOR 0:50654 TIME %"
		   PRIu64 " SOCKET 0 APIC %x microcode 2007006",
		   g->now / US_PER_SEC, cpu * 2);
		if (permille(g, 10))
			panic(g, h, "Fatal machine check", NULL, 0, NULL);
		break;
	}
	case 2:
		kl(g, h, "pcieport 0000:00:1c.0: AER: Corrected error "
		   "received: 0000:03:00.0");
		kl(g, h, "nvme 0000:03:00.0: PCIe Bus Error: "
		   "severity=Corrected, type=Physical Layer, (Receiver ID)");
		kl(g, h, "nvme 0000:03:00.0:   device [144d:a808] error "
		   "status/mask=00000001/0000e000");
		kl(g, h, "nvme 0000:03:00.0:    [ 0] RxErr                  ");
		break;
	default:
		kl(g, h, "CPU%u: Core temperature above threshold, cpu clock "
		   "throttled (total events = %u)", cpu, range(g, 1, 90000));
		kl(g, h, "CPU%u: Package temperature above threshold, cpu "
		   "clock throttled (total events = %u)", cpu,
		   range(g, 1, 90000));
		kl(g, h, "CPU%u: Core temperature/speed normal", cpu);
		break;
	}
}

static void rep_panic_init(struct gen *g, struct host *h)
{
	panic(g, h, "Attempted to kill init! exitcode=0x0000000b", "systemd",
	      1, "dump_stack_lvl panic do_exit.cold do_group_exit get_signal "
	      "arch_do_signal_or_restart exit_to_user_mode_prepare "
	      "irqentry_exit_to_user_mode asm_exc_page_fault");
}

static void rep_clean_reboot(struct gen *g, struct host *h)
{
	static const char *const stop[] = {
		"Stopping User Login Management...",
		"Stopping Docker Application Container Engine...",
		"Stopped target Multi-User System.",
		"Stopping OpenBSD Secure Shell server...",
		"Stopped OpenBSD Secure Shell server.",
		"Reached target System Reboot.",
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(stop); i++) {
		line_begin(g, h, "systemd", 1);
		put_str(g, stop[i]);
		line_end(g);
		g->now += rnd(g, 200000);
	}
	line_begin(g, h, "rsyslogd", 0);
	pf(g, "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" "
	   "x-pid=\"%u\" x-info=\"https://www.rsyslog.com\"] exiting on "
	   "signal 15.", range(g, 600, 700));
	line_end(g);
	go_down(g, h, 30, 120);
}

/* The kernel's start-up messages, as rsyslog writes them after a boot. */
static void boot(struct gen *g, struct host *h)
{
	const struct host_info *hi = h->info;
	enum cat saved = g->cat;

	g->cat = CAT_REPORT;
	h->down = 0;
	h->fresh = 1;
	h->pid = range(g, 300, 500);
	g->boots++;
	kl(g, h, "Linux version %s %s %s", hi->release, hi->builder, hi->build);
	kl(g, h, "Command line: BOOT_IMAGE=/boot/vmlinuz-%s root=%s%s ro "
	   "quiet", hi->release, hi->part[0] == 'd' ? "/dev/mapper/rl-root"
	   : "UUID=", hi->part[0] == 'd' ? "" : "1c9e3f2a-5b7d-4e61-9a0c-"
	   "2f4b8d6e7a13");
	kl(g, h, "KERNEL supported cpus:");
	kl(g, h, "  Intel GenuineIntel");
	kl(g, h, "  AMD AuthenticAMD");
	kl(g, h, "BIOS-provided physical RAM map:");
	kl(g, h, "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] "
	   "usable");
	kl(g, h, "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] "
	   "reserved");
	kl(g, h, "BIOS-e820: [mem 0x0000000000100000-0x%016" PRIx64 "] "
	   "usable", (uint64_t)hi->mem_gb << 30);
	kl(g, h, "NX (Execute Disable) protection: active");
	kl(g, h, "DMI: %s", hi->hw);
	g->now += 20000;
	unsigned r9 = range(g, 2000, 3600);
	unsigned r10 = rnd(g, 1000);
	kl(g, h, "tsc: Detected %u.%03u MHz processor", r9, r10);
	kl(g, h, "smpboot: Allowing %u CPUs, 0 hotplug CPUs", hi->ncpu);
	unsigned r4 = 16384u + rnd(g, 4096);
	unsigned r5 = 4096u + rnd(g, 2048);
	unsigned r6 = 7000u + rnd(g, 1000);
	unsigned r7 = 3000u + rnd(g, 1000);
	unsigned r8 = 5000u + rnd(g, 2000);
	kl(g, h, "Memory: %uK/%uK available (%uK kernel code, %uK rwdata, "
	   "%uK rodata, %uK init, %uK bss, %uK reserved, 0K cma-reserved)",
	   hi->mem_gb * 1010000u, hi->mem_gb * 1048576u, r4, r5, r6, r7,
	   r8, hi->mem_gb * 38000u);
	kl(g, h, "rcu: Hierarchical RCU implementation.");
	kl(g, h, "Console: colour dummy device 80x25");
	unsigned r1 = range(g, 4000, 7200);
	unsigned r2 = rnd(g, 100);
	unsigned r3 = range(g, 8000000, 14400000);
	kl(g, h, "Calibrating delay loop (skipped), value calculated using "
	   "timer frequency.. %u.%02u BogoMIPS (lpj=%u)", r1, r2, r3);
	kl(g, h, "smp: Brought up 1 node, %u CPUs", hi->ncpu);
	g->now += 300000;
	kl(g, h, "MCE: In-kernel MCE decoding enabled.");
	kl(g, h, "EDAC MC: Ver: 3.0.0");
	kl(g, h, "NET: Registered PF_INET6 protocol family");
	kl(g, h, "Freeing unused kernel image (initmem) memory: %uK",
	   3000u + rnd(g, 1000));
	kl(g, h, "Run /init as init process");
	g->now += 900000;
	if (!strcmp(hi->fs, "xfs")) {
		kl(g, h, "SGI XFS with ACLs, security attributes, scrub, "
		   "quota, no debug enabled");
		kl(g, h, "XFS (%s): Mounting V5 Filesystem", hi->part);
		kl(g, h, "XFS (%s): Starting recovery (logdev: internal)",
		   hi->part);
		kl(g, h, "XFS (%s): Ending recovery (logdev: internal)",
		   hi->part);
	} else {
		kl(g, h, "EXT4-fs (%s): recovery complete", hi->part);
		kl(g, h, "EXT4-fs (%s): mounted filesystem with ordered data "
		   "mode. Quota mode: none.", hi->part);
	}
	line_begin(g, h, "systemd", 1);
	pf(g, "systemd %s running in system mode (+PAM +AUDIT +SELINUX "
	   "+APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS +OPENSSL +ACL "
	   "+BLKID +CURL +ELFUTILS +FIDO2 +IDN2 -IDN +IPTC +KMOD "
	   "+LIBCRYPTSETUP +LIBFDISK +PCRE2 -PWQUALITY +P11KIT +QRENCODE "
	   "+TPM2 +BZIP2 +LZ4 +XZ +ZLIB +ZSTD -BPF_FRAMEWORK -XKBCOMMON "
	   "+UTMP +SYSVINIT default-hierarchy=unified)",
	   hi->style == STYLE_OLD ? "229" : "252.19-1~deb12u1");
	line_end(g);
	line_begin(g, h, "systemd", 1);
	pf(g, "Hostname set to <%s>.", hi->name);
	line_end(g);
	line_begin(g, h, "rsyslogd", 0);
	pf(g, "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" "
	   "x-pid=\"%u\" x-info=\"https://www.rsyslog.com\"] start",
	   range(g, 600, 700));
	line_end(g);
	g->cat = saved;
}

static enum kind pick_kind(struct gen *g)
{
	unsigned total = 0, r, i;

	for (i = 0; i < K_NR; i++)
		total += kind_weight[i];
	r = rnd(g, total);
	for (i = 0; r >= kind_weight[i]; i++)
		r -= kind_weight[i];
	return (enum kind)i;
}

static void report(struct gen *g, struct host *h)
{
	enum kind k = pick_kind(g);

	/* Kinds a host cannot show fall back to its nearest one. */
	if (k == K_XFS && strcmp(h->info->fs, "xfs"))
		k = K_EXT4;
	if ((k == K_MEMCG_OOM || k == K_ALLOC_FAIL) &&
	    h->info->style == STYLE_OLD)
		k = K_OOM;
	g->cat = CAT_REPORT;
	g->count[k]++;
	switch (k) {
	case K_OOM:
		rep_oom(g, h);
		break;
	case K_MEMCG_OOM:
		rep_memcg_oom(g, h);
		break;
	case K_ALLOC_FAIL:
		rep_alloc_fail(g, h);
		break;
	case K_NULL:
	case K_GPF:
	case K_KBUG:
		rep_oops(g, h, k);
		break;
	case K_WARN:
		rep_warn(g, h);
		break;
	case K_HUNG:
		rep_hung(g, h);
		break;
	case K_SOFT:
	case K_HARD:
		rep_lockup(g, h, k);
		break;
	case K_RCU:
		rep_rcu(g, h);
		break;
	case K_IO:
		rep_io(g, h);
		break;
	case K_EXT4:
		rep_ext4(g, h);
		break;
	case K_XFS:
		rep_xfs(g, h);
		break;
	case K_SEGV:
		rep_segv(g, h);
		break;
	case K_HW:
		rep_hw(g, h);
		break;
	case K_PANIC:
		rep_panic_init(g, h);
		break;
	default:
		rep_clean_reboot(g, h);
		break;
	}
	g->cat = CAT_NOISE;
}

/* ---- driver ---- */

static struct host *up_host(struct gen *g)
{
	unsigned i, start = rnd(g, NHOST);

	for (i = 0; i < NHOST; i++) {
		struct host *h = &g->host[(start + i) % NHOST];

		if (!h->down)
			return h;
	}
	die_internal("every host is down");
	return NULL;
}

static void gen_init(struct gen *g, uint64_t seed)
{
	unsigned i;

	memset(g->host, 0, sizeof(g->host));
	g->rng = seed;
	g->now = START_EPOCH * US_PER_SEC;
	g->stamp_sec = -1;
	g->cat = CAT_NOISE;
	for (i = 0; i < NHOST; i++) {
		struct host *h = &g->host[i];

		h->info = &host_tab[i];
		h->boot_us = g->now - (uint64_t)range(g, 3600, 5000000) *
			     US_PER_SEC;
		h->boot_us -= rnd(g, US_PER_SEC);
		h->pid = range(g, 2000, 400000);
		h->audit_seq = range(g, 100, 9000);
	}
	g->next_report_at = rnd(g, REPORT_JITTER);
}

static void gen_run(struct gen *g)
{
	unsigned i;

	while (!g->o.done) {
		for (i = 0; i < NHOST; i++)
			if (g->host[i].down && g->now >= g->host[i].up_at)
				boot(g, &g->host[i]);
		if (g->bytes[CAT_NOISE] >= g->next_report_at) {
			report(g, up_host(g));
			g->next_report_at = g->bytes[CAT_REPORT] *
					    NOISE_PER_REPORT;
			if (pct(g, 50))
				g->next_report_at += rnd(g, REPORT_JITTER);
			else if (g->next_report_at > REPORT_JITTER)
				g->next_report_at -= rnd(g, REPORT_JITTER);
			continue;
		}
		noise_line(g, up_host(g));
		g->now += rnd(g, 2 * NOISE_GAP_US);
	}
}

static void print_stats(const struct gen *g, FILE *fp, uint64_t seed)
{
	uint64_t total = g->o.flushed;
	uint64_t reports = 0;
	unsigned i;

	for (i = 0; i < K_NR; i++)
		reports += g->count[i];
	fprintf(fp, "format %d\n", GEN_FORMAT_VERSION);
	fprintf(fp, "seed %" PRIu64 "\n", seed);
	fprintf(fp, "bytes %" PRIu64 "\n", total);
	fprintf(fp, "lines %" PRIu64 "\n",
		g->lines[CAT_NOISE] + g->lines[CAT_REPORT]);
	fprintf(fp, "noise_bytes %" PRIu64 "\n", g->bytes[CAT_NOISE]);
	fprintf(fp, "report_bytes %" PRIu64 "\n", g->bytes[CAT_REPORT]);
	fprintf(fp, "report_lines %" PRIu64 "\n", g->lines[CAT_REPORT]);
	fprintf(fp, "reports %" PRIu64 "\n", reports);
	for (i = 0; i < K_NR; i++)
		fprintf(fp, "report.%s %" PRIu64 "\n", kind_name[i],
			g->count[i]);
	fprintf(fp, "panics %" PRIu64 "\n", g->panics);
	fprintf(fp, "boots %" PRIu64 "\n", g->boots);
	fprintf(fp, "days %.2f\n", (double)(g->now / US_PER_SEC -
					     START_EPOCH) / 86400.0);
}

/* ---- command line ---- */

/*
 * Parses a decimal number with an optional K, M, G or T suffix (powers of
 * 1024); rejects anything else and anything that overflows.
 */
static int parse_size(const char *s, int suffix_ok, uint64_t *out)
{
	uint64_t v = 0, mult = 1;

	if (!*s)
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s && suffix_ok) {
		switch (*s) {
		case 'k': case 'K':
			mult = UINT64_C(1) << 10;
			break;
		case 'm': case 'M':
			mult = UINT64_C(1) << 20;
			break;
		case 'g': case 'G':
			mult = UINT64_C(1) << 30;
			break;
		case 't': case 'T':
			mult = UINT64_C(1) << 40;
			break;
		default:
			return -1;
		}
		s++;
	}
	if (*s)
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static void usage(FILE *fp)
{
	fputs("usage: gen-log [--size N[K|M|G|T]] [--seed N] [-o FILE] "
	      "[--stats FILE]\n"
	      "\n"
	      "Writes exactly N bytes (default 1G) of a mixed syslog: about "
	      "90% noise,\n"
	      "10% kernel reports.  The same size and seed give the same "
	      "bytes.\n"
	      "  --size N      output size; K, M, G, T are powers of 1024\n"
	      "  --seed N      random seed (default 1)\n"
	      "  -o FILE       write to FILE instead of standard output\n"
	      "  --stats FILE  write what was generated (counts by report "
	      "kind) to FILE\n"
	      "  --version     print the output format version\n", fp);
}

int main(int argc, char **argv)
{
	uint64_t size = UINT64_C(1) << 30, seed = 1;
	const char *out_path = NULL, *stats_path = NULL;
	struct gen g;
	FILE *sf;
	int i, ret = 1;

	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("gen-log format %d\n", GEN_FORMAT_VERSION);
			return 0;
		} else if (!v) {
			fprintf(stderr, "gen-log: '%s' is unknown or needs a "
				"value\n", a);
			usage(stderr);
			return 1;
		} else if (!strcmp(a, "--size")) {
			if (parse_size(v, 1, &size)) {
				fprintf(stderr, "gen-log: bad size '%s': "
					"expected a number with an optional "
					"K, M, G or T\n", v);
				return 1;
			}
		} else if (!strcmp(a, "--seed")) {
			if (parse_size(v, 0, &seed)) {
				fprintf(stderr, "gen-log: bad seed '%s': "
					"expected a decimal number\n", v);
				return 1;
			}
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			out_path = v;
		} else if (!strcmp(a, "--stats")) {
			stats_path = v;
		} else {
			fprintf(stderr, "gen-log: unknown option '%s'\n", a);
			usage(stderr);
			return 1;
		}
	}

	memset(&g, 0, sizeof(g));
	g.o.fp = stdout;
	if (out_path) {
		g.o.fp = fopen(out_path, "wb");
		if (!g.o.fp) {
			fprintf(stderr, "gen-log: cannot open '%s': %s\n",
				out_path, strerror(errno));
			return 1;
		}
	}
	g.o.cap = OUT_FLUSH_AT + OUT_SLACK;
	g.o.buf = malloc(g.o.cap);
	if (!g.o.buf) {
		fputs("gen-log: out of memory\n", stderr);
		goto cleanup;
	}
	g.o.limit = size;
	gen_init(&g, seed);
	gen_run(&g);
	out_flush(&g.o);
	if (g.o.err) {
		fprintf(stderr, "gen-log: cannot write '%s': %s\n",
			out_path ? out_path : "-", strerror(g.o.err));
		goto cleanup;
	}
	if (fflush(g.o.fp)) {
		fprintf(stderr, "gen-log: cannot write '%s': %s\n",
			out_path ? out_path : "-", strerror(errno));
		goto cleanup;
	}
	if (stats_path) {
		sf = fopen(stats_path, "w");
		if (!sf) {
			fprintf(stderr, "gen-log: cannot open '%s': %s\n",
				stats_path, strerror(errno));
			goto cleanup;
		}
		print_stats(&g, sf, seed);
		if (fclose(sf)) {
			fprintf(stderr, "gen-log: cannot write '%s': %s\n",
				stats_path, strerror(errno));
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	free(g.o.buf);
	if (out_path && g.o.fp && fclose(g.o.fp) && !ret) {
		fprintf(stderr, "gen-log: cannot write '%s': %s\n", out_path,
			strerror(errno));
		ret = 1;
	}
	return ret;
}
