/*
 * test_formats.c - one kernel report, every line format, the same events.
 *
 * Each report below is a list of printk records (message text, level,
 * monotonic stamp).  The test renders it the way each tool writes it
 * (dmesg and its options, /dev/kmsg, syslog daemons, journalctl's
 * output modes, kdump's vmcore-dmesg.txt, bare text), once alone and
 * once interleaved with unrelated lines of other programs, scans every
 * variant with the whole pipeline, renders the events as ndjson (as
 * `ktriage scan --format ndjson` does) and checks that it yields the same
 * events as plain dmesg: same type, subtype, severity, title,
 * fingerprint, message, process, call trace, taint, kernel and fields.
 *
 * What may differ by format, and is checked per format instead: time
 * (null when the format has no wall clock, else the first line's time),
 * monotonic (null when the format has no printk stamp), host (null for
 * dmesg-like formats), and source, id, detected_at, which name lines of
 * the rendered text.  Fields holding another event's id (caused_by) are
 * compared as the index of that event.
 *
 * The wall clock is 2022-06-06 21:33:13 in China (TZ=CST-8, set here):
 * syslog and dmesg -T stamps are local times, RFC 3339 ones carry
 * +08:00, journal JSON carries UTC microseconds.
 *
 * Usage: test_formats [FILTER]  the variants whose name ("oom/json+mixed":
 *                              report/format[+mixed]) contains FILTER
 * With KT_TEST_DUMP=DIR each rendered variant is written to DIR, and
 * with KT_TEST_VERBOSE=1 a failing one is printed.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "output/render.h"
#include "pipeline/pipeline.h"
#include <jansson.h>
#include <time.h>

#include <setjmp.h>
#include <cmocka.h>

/* ------------------------------------------------------------ reports */

/*
 * A record is "L" + text, L the printk level '0'-'7'; a line "+text"
 * continues the record before it (one printk with embedded newlines,
 * like the Mem-Info block of an OOM report).
 */
struct report {
	const char *name;
	const char *const *rec;
	char caller_kind;	/* 'T' task or 'C' cpu: who printed it */
	unsigned caller_id;
	const char *want;	/* JSON list of partial events, for dmesg */
	const int *parts;	/* or: these reports, PART_GAP_S apart */
};

/* Between the parts of a log of several reports. */
#define PART_GAP_S 240

/* 5.15: NULL pointer dereference in a module's kthread, panic_on_oops */
static const char *const oops_rec[] = {
	"1BUG: kernel NULL pointer dereference, address: 0000000000000008",
	"1#PF: supervisor read access in kernel mode",
	"1#PF: error_code(0x0000) - not-present page",
	"6PGD 0 P4D 0 ",
	"4Oops: 0000 [#1] SMP PTI",
	"4CPU: 5 PID: 2215 Comm: 192.168.1.10-ma Tainted: G           OE     5.15.0-76-generic #83-Ubuntu",
	"4Hardware name: Dell Inc. PowerEdge R640/0H28RR, BIOS 2.11.2 04/21/2021",
	"4RIP: 0010:nfs4_do_reclaim+0x1a5/0x7b0 [nfsv4]",
	"4Code: 48 8b 45 c0 4c 89 ef 48 8b 40 18 48 89 45 a8 e8 5d 2c 0b f9 48 8b 45 b0 48 85 c0 0f 84 0e 03 00 00 48 8b 45 b0 48 8b 40 10 <48> 8b 50 08 48 85 d2 74 19 48 8b 7d a8 4c 89 e6 e8 b1 fd ff ff 85",
	"4RSP: 0018:ffffb3c0c1e4fd60 EFLAGS: 00010246",
	"4RAX: 0000000000000000 RBX: ffff9a2e4c2d1000 RCX: 0000000000000000",
	"4RDX: 0000000000000001 RSI: ffff9a2e41a0c940 RDI: ffff9a2e4c2d1000",
	"4RBP: ffffb3c0c1e4fdd8 R08: 0000000000000000 R09: ffffb3c0c1e4fcc8",
	"4R10: 0000000000000000 R11: 0000000000000001 R12: ffff9a2e53f8e800",
	"4R13: ffff9a2e4c2d1000 R14: ffffffffc0f4e9c0 R15: ffff9a2e4c2d1120",
	"4FS:  0000000000000000(0000) GS:ffff9a35bf940000(0000) knlGS:0000000000000000",
	"4CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033",
	"4CR2: 0000000000000008 CR3: 000000010a00a006 CR4: 00000000007706e0",
	"4PKRU: 55555554",
	"4Call Trace:",
	"4 <TASK>",
	"4 nfs4_state_manager+0x68c/0x8a0 [nfsv4]",
	"4 ? nfs4_do_reclaim+0x7b0/0x7b0 [nfsv4]",
	"4 kthread+0x127/0x150",
	"4 ? set_kthread_struct+0x50/0x50",
	"4 ret_from_fork+0x1f/0x30",
	"4 </TASK>",
	"4Modules linked in: nfsv4(OE) nfs(OE) lockd grace fscache netfs rpcsec_gss_krb5 auth_rpcgss sunrpc xt_conntrack nf_nat nf_conntrack ip_tables x_tables mlx5_core(OE) mlxfw tls psample pci_hyperv_intf",
	"4CR2: 0000000000000008",
	"4---[ end trace 8a9c1b2d3e4f5061 ]---",
	"4RIP: 0010:nfs4_do_reclaim+0x1a5/0x7b0 [nfsv4]",
	"4Code: 48 8b 45 c0 4c 89 ef 48 8b 40 18 48 89 45 a8 e8 5d 2c 0b f9 48 8b 45 b0 48 85 c0 0f 84 0e 03 00 00 48 8b 45 b0 48 8b 40 10 <48> 8b 50 08 48 85 d2 74 19 48 8b 7d a8 4c 89 e6 e8 b1 fd ff ff 85",
	"4RSP: 0018:ffffb3c0c1e4fd60 EFLAGS: 00010246",
	"4RAX: 0000000000000000 RBX: ffff9a2e4c2d1000 RCX: 0000000000000000",
	"4CR2: 0000000000000008 CR3: 000000010a00a006 CR4: 00000000007706e0",
	"0Kernel panic - not syncing: Fatal exception",
	"0Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
	"0---[ end Kernel panic - not syncing: Fatal exception ]---",
	NULL
};

/* 5.10: global OOM, a page fault in java; the task dump in pages */
static const char *const oom_rec[] = {
	"4java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
	"4CPU: 1 PID: 4242 Comm: java Not tainted 5.10.0-23-amd64 #1 Debian 5.10.179-1",
	"4Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.14.0-2 04/01/2014",
	"4Call Trace:",
	"4 dump_stack+0x6b/0x83",
	"4 dump_header+0x4a/0x1f4",
	"4 oom_kill_process.cold+0xb/0x10",
	"4 out_of_memory+0x1bd/0x500",
	"4 __alloc_pages_slowpath.constprop.0+0xbcc/0xc90",
	"4 __alloc_pages_nodemask+0x2de/0x310",
	"4 pagecache_get_page+0x175/0x390",
	"4 filemap_fault+0x6a2/0x900",
	"4 ? xas_load+0x5/0x80",
	"4 __do_fault+0x36/0x120",
	"4 handle_mm_fault+0x11e7/0x1bf0",
	"4 do_user_addr_fault+0x1b8/0x400",
	"4 exc_page_fault+0x78/0x160",
	"4 ? asm_exc_page_fault+0x8/0x30",
	"4 asm_exc_page_fault+0x1e/0x30",
	"4RIP: 0033:0x7f3c2a1b8d40",
	"4Code: Unable to access opcode bytes at RIP 0x7f3c2a1b8d16.",
	"4RSP: 002b:00007ffd8a0c1a28 EFLAGS: 00010246",
	"4RAX: 0000000000000000 RBX: 00007f3c1c0a2b40 RCX: 00007f3c2a1b8d40",
	"6Mem-Info:",
	"6active_anon:1536 inactive_anon:1941215 isolated_anon:0",
	"+ active_file:57 inactive_file:45 isolated_file:0",
	"+ unevictable:0 dirty:0 writeback:0",
	"+ slab_reclaimable:6052 slab_unreclaimable:11760",
	"+ mapped:113 shmem:1680 pagetables:5003 bounce:0",
	"+ free:25183 free_pcp:305 free_cma:0",
	"6Node 0 active_anon:6144kB inactive_anon:7764860kB active_file:228kB inactive_file:180kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:452kB dirty:0kB writeback:0kB shmem:6720kB shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB kernel_stack:2816kB all_unreclaimable? no",
	"4Node 0 DMA free:15360kB min:132kB low:164kB high:196kB reserved_highatomic:0KB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB present:15992kB managed:15360kB mlocked:0kB pagetables:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB",
	"4lowmem_reserve[]: 0 2911 7872 7872 7872",
	"4Node 0 DMA32 free:45084kB min:25080kB low:31348kB high:37616kB reserved_highatomic:0KB active_anon:4kB inactive_anon:2932964kB active_file:96kB inactive_file:72kB unevictable:0kB writepending:0kB present:3129200kB managed:3063664kB mlocked:0kB pagetables:5752kB bounce:0kB free_pcp:576kB local_pcp:0kB free_cma:0kB",
	"4lowmem_reserve[]: 0 0 4961 4961 4961",
	"4Node 0 Normal free:40288kB min:42744kB low:53428kB high:64112kB reserved_highatomic:0KB active_anon:6140kB inactive_anon:4831896kB active_file:132kB inactive_file:108kB unevictable:0kB writepending:0kB present:5242880kB managed:5080716kB mlocked:0kB pagetables:14260kB bounce:0kB free_pcp:644kB local_pcp:0kB free_cma:0kB",
	"4lowmem_reserve[]: 0 0 0 0 0",
	"4Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15360kB",
	"4Node 0 DMA32: 417*4kB (UME) 342*8kB (UME) 213*16kB (UME) 147*32kB (UME) 92*64kB (UME) 51*128kB (UME) 29*256kB (UME) 12*512kB (UM) 5*1024kB (UM) 0*2048kB 0*4096kB = 45084kB",
	"4Node 0 Normal: 1264*4kB (UME) 921*8kB (UME) 488*16kB (UME) 251*32kB (UME) 94*64kB (UME) 23*128kB (UM) 5*256kB (UM) 0*512kB 0*1024kB 0*2048kB 0*4096kB = 40288kB",
	"6Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB",
	"6Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
	"61782 total pagecache pages",
	"60 pages in swap cache",
	"6Swap cache stats: add 0, delete 0, find 0/0",
	"6Free swap  = 0kB",
	"6Total swap = 0kB",
	"62094951 pages RAM",
	"60 pages HighMem/MovableOnly",
	"664734 pages reserved",
	"60 pages hwpoisoned",
	"6Tasks state (memory values in pages):",
	"6[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
	"6[    312]     0   312    12338      362   102400        0             0 systemd-journal",
	"6[    338]     0   338     5683      368    69632        0         -1000 systemd-udevd",
	"6[    512]   104   512     2138      120    53248        0          -900 dbus-daemon",
	"6[    530]     0   530    55185      409    77824        0             0 rsyslogd",
	"6[    901]     0   901     3323      247    65536        0         -1000 sshd",
	"6[   4242]  1000  4242  2895463  1938420 15970304        0             0 java",
	"6[   4301]  1000  4301    61212     2011   131072        0             0 python3",
	"6oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/session-3.scope,task=java,pid=4242,uid=1000",
	"3Out of memory: Killed process 4242 (java) total-vm:11581852kB, anon-rss:7753680kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15596kB oom_score_adj:0",
	"6oom_reaper: reaped process 4242 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
	NULL
};

/* 5.4: khugepaged stuck on mmap_sem, hung_task_panic=1 (seed 004) */
static const char *const hung_rec[] = {
	"3INFO: task khugepaged:63 blocked for more than 120 seconds.",
	"3      Not tainted 5.4.0-150-generic #167-Ubuntu",
	"3\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
	"6khugepaged      D    0    63      2 0x80004000",
	"4Call Trace:",
	"4 __schedule+0x2e3/0x740",
	"4 schedule+0x42/0xb0",
	"4 rwsem_down_read_slowpath+0x16c/0x4a0",
	"4 ? finish_wait+0x80/0x80",
	"4 down_read+0x85/0xa0",
	"4 collapse_huge_page+0x1f4/0x1f10",
	"4 ? __switch_to_asm+0x40/0x70",
	"4 khugepaged_scan_pmd+0x92b/0xec0",
	"4 khugepaged+0xbd1/0x2250",
	"4 ? wait_woken+0x80/0x80",
	"4 ? collapse_pte_mapped_thp+0x360/0x360",
	"4 kthread+0x104/0x140",
	"4 ? kthread_park+0x90/0x90",
	"4 ret_from_fork+0x1f/0x40",
	"0Kernel panic - not syncing: hung_task: blocked tasks",
	"4CPU: 12 PID: 149 Comm: khungtaskd Not tainted 5.4.0-150-generic #167-Ubuntu",
	"4Hardware name: Inspur SA5212M5/YZMB-00882-104, BIOS 4.1.12 12/20/2019",
	"4Call Trace:",
	"4 dump_stack+0x6d/0x8b",
	"4 panic+0x101/0x2e3",
	"4 watchdog+0x2d8/0x4f0",
	"4 kthread+0x104/0x140",
	"4 ? hungtask_pm_notify+0x50/0x50",
	"4 ? kthread_park+0x90/0x90",
	"4 ret_from_fork+0x1f/0x40",
	"0Kernel Offset: 0x1c000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
	NULL
};

/* 5.10: conntrack lookup spinning in softirq, printed from the timer irq */
static const char *const lockup_rec[] = {
	"0watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [ksoftirqd/3:29]",
	"4Modules linked in: xt_nat veth xt_MASQUERADE nf_conntrack_netlink xfrm_user br_netfilter bridge stp llc nf_conntrack nf_defrag_ipv6 nf_defrag_ipv4 overlay ext4 mbcache jbd2 virtio_net virtio_blk",
	"4CPU: 3 PID: 29 Comm: ksoftirqd/3 Tainted: G             L    5.10.0-23-amd64 #1 Debian 5.10.179-1",
	"4Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.14.0-2 04/01/2014",
	"4RIP: 0010:__nf_conntrack_find_get+0x6a/0x2d0 [nf_conntrack]",
	"4Code: 8b 45 00 49 89 c7 41 83 e7 01 0f 85 5c 01 00 00 48 8b 5d 00 48 85 db 74 3f 49 89 dd 4c 89 e7 <4c> 39 63 10 74 25 48 8b 1b f6 c3 01 74 e6 e9 3b 01 00 00 48 8b 43",
	"4RSP: 0018:ffffb0a5c0123b38 EFLAGS: 00000246",
	"4RAX: ffff8f4c8a3c1e00 RBX: ffff8f4c5f0e2a08 RCX: 0000000000000000",
	"4Call Trace:",
	"4 nf_conntrack_in+0x1b5/0x5b0 [nf_conntrack]",
	"4 nf_hook_slow+0x3f/0xb0",
	"4 ip_rcv+0x98/0xd0",
	"4 __netif_receive_skb_one_core+0x88/0xa0",
	"4 process_backlog+0x9b/0x150",
	"4 __napi_poll+0x28/0x160",
	"4 net_rx_action+0x2b4/0x3f0",
	"4 __do_softirq+0xc5/0x275",
	"4 run_ksoftirqd+0x2b/0x40",
	"4 smpboot_thread_fn+0xf1/0x180",
	"4 ? sort_range+0x20/0x20",
	"4 kthread+0x11b/0x140",
	"4 ? __kthread_bind_mask+0x60/0x60",
	"4 ret_from_fork+0x22/0x30",
	NULL
};

static const int all_parts[] = { 1, 3, 0, -1 };

static const struct report reports[] = {
	{ "oops", oops_rec, 'T', 2215,
	  "[{\"type\": \"oops\", \"subtype\": \"null_deref\","
	  "  \"severity\": \"major\","
	  "  \"title\": \"BUG: unable to handle kernel NULL pointer"
	  " dereference in nfs4_do_reclaim\","
	  "  \"process\": {\"pid\": 2215, \"comm\": \"192.168.1.10-ma\"},"
	  "  \"tainted\": \"G           OE\","
	  "  \"kernel\": \"5.15.0-76-generic\","
	  "  \"fields\": {\"address\": \"0000000000000008\","
	  "    \"error_code\": \"0000\","
	  "    \"rip_module\": \"nfsv4\","
	  "    \"guilty_func\": \"nfs4_do_reclaim\","
	  "    \"guilty_module\": \"nfsv4\"},"
	  "  \"call_trace\": [{\"func\": \"nfs4_state_manager\","
	  "    \"module\": \"nfsv4\", \"reliable\": true},"
	  "   {\"func\": \"nfs4_do_reclaim\", \"reliable\": false}]},"
	  " {\"type\": \"panic\", \"subtype\": \"fatal_exception\","
	  "  \"severity\": \"critical\","
	  "  \"title\": \"kernel panic: Fatal exception\","
	  "  \"fields\": {\"reason\": \"Fatal exception\","
	  "    \"cause\": \"oops\"}}]", NULL },
	{ "oom", oom_rec, 'T', 4242,
	  "[{\"type\": \"oom\", \"subtype\": \"oom_kill\","
	  "  \"severity\": \"major\","
	  "  \"title\": \"Out of memory: Killed process 4242 (java)\","
	  "  \"process\": {\"pid\": 4242, \"comm\": \"java\"},"
	  "  \"kernel\": \"5.10.0-23-amd64\","
	  "  \"fields\": {\"victim_pid\": 4242, \"victim_comm\": \"java\","
	  "    \"total_vm_kb\": 11581852, \"anon_rss_kb\": 7753680,"
	  "    \"file_rss_kb\": 0, \"shmem_rss_kb\": 0,"
	  "    \"oom_score_adj\": 0, \"trigger_comm\": \"java\","
	  "    \"trigger_pid\": 4242, \"gfp_mask\": \"0x100cca\","
	  "    \"order\": 0, \"free_swap_kb\": 0, \"total_swap_kb\": 0,"
	  "    \"top_rss\": [{\"pid\": 4242, \"comm\": \"java\","
	  "      \"rss_pages\": 1938420},"
	  "     {\"pid\": 4301, \"comm\": \"python3\", \"rss_pages\": 2011}]},"
	  "  \"call_trace\": [{\"func\": \"dump_stack\"}]}]", NULL },
	{ "hung", hung_rec, 'T', 149,
	  "[{\"type\": \"deadlock\", \"subtype\": \"hung_task\","
	  "  \"severity\": \"major\","
	  "  \"title\": \"INFO: task hung in collapse_huge_page\","
	  "  \"process\": {\"pid\": 63, \"comm\": \"khugepaged\"},"
	  "  \"kernel\": \"5.4.0-150-generic\","
	  "  \"fields\": {\"blocked_secs\": 120,"
	  "    \"guilty_func\": \"collapse_huge_page\"},"
	  "  \"call_trace\": [{\"func\": \"__schedule\"}]},"
	  " {\"type\": \"panic\", \"subtype\": \"hung_task\","
	  "  \"severity\": \"critical\","
	  "  \"title\": \"kernel panic: hung_task: blocked tasks\","
	  "  \"fields\": {\"cause\": \"hung_task\"}}]", NULL },
	{ "lockup", lockup_rec, 'C', 3,
	  "[{\"type\": \"deadlock\", \"subtype\": \"soft_lockup\","
	  "  \"severity\": \"major\","
	  "  \"process\": {\"pid\": 29, \"comm\": \"ksoftirqd/3\"},"
	  "  \"tainted\": \"G             L\","
	  "  \"kernel\": \"5.10.0-23-amd64\","
	  "  \"fields\": {\"cpu\": 3, \"stuck_secs\": 22},"
	  "  \"call_trace\": [{\"func\": \"nf_conntrack_in\","
	  "    \"module\": \"nf_conntrack\"}]}]", NULL },
	/* one boot's log: the reports above, one after the other */
	{ "all", NULL, 0, 0, NULL, all_parts },
};

/*
 * Lines of other programs (and unrelated kernel lines) that end up
 * between the records of a report: facility, level, program, pid, text.
 * Program NULL is the kernel.
 */
struct other {
	int facility;
	int level;
	const char *prog;
	int pid;
	const char *text;
	const char *dict;	/* kmsg dictionary lines, or NULL */
};

static const struct other others[] = {
	{ 10, 6, "sshd", 2211, "Accepted publickey for deploy from 10.20.0.7 port 52144 ssh2: ED25519 SHA256:qv1yXvWb0bGm3cTvvQnE6a2S1yQ0b3Vd4lH2N8Qk1hY", NULL },
	{ 0, 6, NULL, 0, "docker0: port 2(veth1c2d3e4) entered forwarding state", " SUBSYSTEM=net\n DEVICE=n5" },
	{ 9, 6, "CRON", 3301, "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", NULL },
	{ 3, 6, "systemd", 1, "Started Session 42 of user deploy.", NULL },
	{ 0, 5, NULL, 0, "audit: type=1400 audit(1654522393.512:231): apparmor=\"DENIED\" operation=\"open\" profile=\"snap.lxd.daemon\" name=\"/proc/1/environ\" pid=3812 comm=\"lxd\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0", NULL },
	{ 3, 6, "containerd", 812, "time=\"2022-06-06T21:33:13.535433701+08:00\" level=info msg=\"shim disconnected\" id=4ebca70fe5bf namespace=moby", NULL },
	{ 0, 6, NULL, 0, "e1000e 0000:00:1f.6 eno1: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None", " SUBSYSTEM=pci\n DEVICE=+pci:0000:00:1f.6" },
	{ 1, 4, "dockerd", 901, "time=\"2022-06-06T21:33:13.620768383+08:00\" level=warning msg=\"Health check for container 4ebca70fe5bf error: context deadline exceeded\"", NULL },
};

/* ------------------------------------------------------------ formats */

enum fmt {
	F_DMESG,		/* [  772.918915] msg */
	F_DMESG_CALLER,		/* [  772.918915][ T1234] msg */
	F_DMESG_T,		/* [Mon Jun  6 21:33:13 2022] msg */
	F_DMESG_R,		/* <4>[  772.918915] msg */
	F_DMESG_X,		/* kern  :warn  : [  772.918915] msg */
	F_DMESG_TX,		/* kern  :warn  : [Mon Jun  6 21:33:13 2022] */
	F_DMESG_ISO,		/* 2022-06-06T21:33:13,918915+08:00 msg */
	F_DMESG_UL_CALLER,	/* util-linux 2.38: [  772.918915] [  T1234] */
	F_PSTORE,		/* Panic#1 Part1, <4>[  772.918915][ T1234] */
	F_VMCORE,		/* vmcore-dmesg.txt: as dmesg */
	F_KMSG,			/* 4,1234,772918915,-;msg */
	F_KMSG_CALLER,		/* 4,1234,772918915,-,caller=T1234;msg */
	F_SYSLOG,		/* Jun  6 21:33:13 host kernel: msg */
	F_SYSLOG_STAMP,		/* Jun  6 21:33:13 host kernel: [  772.9] msg */
	F_RSYSLOG_012,		/* as F_SYSLOG, records joined with #012 */
	F_RFC3339,		/* 2022-06-06T21:33:13.918915+08:00 host ... */
	F_RFC5424,		/* <4>1 2022-06-06T21:33:13.918915+08:00 host
				 * kernel - - - msg */
	F_SHORT,		/* journalctl: Jun 06 21:33:13 host kernel: */
	F_SHORT_ISO,		/* 2022-06-06T21:33:13+0800 host kernel: */
	F_SHORT_ISO_PRECISE,	/* 2022-06-06T21:33:13.918915+08:00 ... */
	F_SHORT_PRECISE,	/* Jun 06 21:33:13.918915 host kernel: */
	F_SHORT_MONO,		/* [  772.918915] host kernel: msg */
	F_SHORT_FULL,		/* Mon 2022-06-06 21:33:13 CST host kernel: */
	F_SHORT_UNIX,		/* 1654522393.918915 host kernel: msg */
	F_JSON,			/* journalctl -o json */
	F_BARE,			/* msg */
	F_NR
};

/* what the format carries */
enum {
	HAS_WALL = 1 << 0,	/* a wall clock time */
	HAS_MONO = 1 << 1,	/* the printk stamp */
	HAS_HOST = 1 << 2,	/* the host name */
};

static const struct {
	const char *name;
	unsigned has;
} fmts[F_NR] = {
	[F_DMESG] = { "dmesg", HAS_MONO },
	[F_DMESG_CALLER] = { "dmesg-caller", HAS_MONO },
	[F_DMESG_T] = { "dmesg-T", HAS_WALL },
	[F_DMESG_R] = { "dmesg-r", HAS_MONO },
	[F_DMESG_X] = { "dmesg-x", HAS_MONO },
	[F_DMESG_TX] = { "dmesg-Tx", HAS_WALL },
	[F_DMESG_ISO] = { "dmesg-iso", HAS_WALL },
	[F_DMESG_UL_CALLER] = { "dmesg-caller-util-linux", HAS_MONO },
	[F_PSTORE] = { "pstore", HAS_MONO },
	[F_VMCORE] = { "vmcore-dmesg", HAS_MONO },
	[F_KMSG] = { "kmsg", HAS_MONO },
	[F_KMSG_CALLER] = { "kmsg-caller", HAS_MONO },
	[F_SYSLOG] = { "syslog", HAS_WALL | HAS_HOST },
	[F_SYSLOG_STAMP] = { "syslog-stamp", HAS_WALL | HAS_MONO | HAS_HOST },
	[F_RSYSLOG_012] = { "rsyslog-012", HAS_WALL | HAS_HOST },
	[F_RFC3339] = { "rfc3339", HAS_WALL | HAS_HOST },
	[F_RFC5424] = { "rfc5424", HAS_WALL | HAS_HOST },
	[F_SHORT] = { "short", HAS_WALL | HAS_HOST },
	[F_SHORT_ISO] = { "short-iso", HAS_WALL | HAS_HOST },
	[F_SHORT_ISO_PRECISE] = { "short-iso-precise", HAS_WALL | HAS_HOST },
	[F_SHORT_PRECISE] = { "short-precise", HAS_WALL | HAS_HOST },
	[F_SHORT_MONO] = { "short-monotonic", HAS_MONO | HAS_HOST },
	[F_SHORT_FULL] = { "short-full", HAS_WALL | HAS_HOST },
	[F_SHORT_UNIX] = { "short-unix", HAS_WALL | HAS_HOST },
	[F_JSON] = { "json", HAS_WALL | HAS_MONO | HAS_HOST },
	[F_BARE] = { "bare", 0 },
};

#define HOST "web-07"
#define BOOT_ID "5e1f0c0a8d7b4c2e9f3a6b1d2c4e8f70"
/* 2022-06-06T13:33:13Z, i.e. 21:33:13 in China, is mono 772.918915 */
#define MONO0_US 772918915LL
#define WALL0_US 1654522393918915LL
#define STEP_US 37	/* between two records */

static const char *const level_names[] = { "emerg", "alert", "crit", "err",
	"warn", "notice", "info", "debug" };
static const char *const facility_names[] = { "kern", "user", "mail",
	"daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv" };

/* One record, whoever printed it. */
struct rec {
	const char *text;	/* first line */
	const char *const *cont;	/* continuation lines ("+..."), or NULL */
	size_t nr_cont;
	int facility, level;
	const char *prog;	/* NULL: the kernel */
	int pid;
	char caller_kind;
	unsigned caller_id;
	const char *dict;
	int64_t mono_us, wall_us;
	uint64_t seq;
};

static void add_stamp(struct strbuf *sb, int64_t mono_us)
{
	strbuf_addf(sb, "[%5lld.%06lld]", (long long)(mono_us / 1000000),
		    (long long)(mono_us % 1000000));
}

static struct tm local_tm(int64_t wall_us)
{
	time_t t = (time_t)(wall_us / 1000000);
	struct tm tm;

	localtime_r(&t, &tm);
	return tm;
}

static void add_time(struct strbuf *sb, const char *fmt, int64_t wall_us)
{
	struct tm tm = local_tm(wall_us);
	char buf[64];

	strftime(buf, sizeof(buf), fmt, &tm);
	strbuf_addstr(sb, buf);
}

/* "Jun  6 21:33:13" (syslog) */
static void add_syslog_time(struct strbuf *sb, int64_t wall_us)
{
	add_time(sb, "%b %e %H:%M:%S", wall_us);
}

/* "2022-06-06T21:33:13.918915+08:00", or "+0800" with colon false */
static void add_iso_time(struct strbuf *sb, int64_t wall_us, bool frac,
			 bool colon)
{
	struct tm tm = local_tm(wall_us);
	long off = tm.tm_gmtoff / 60;

	add_time(sb, "%Y-%m-%dT%H:%M:%S", wall_us);
	if (frac)
		strbuf_addf(sb, ".%06lld", (long long)(wall_us % 1000000));
	strbuf_addf(sb, "%c%02ld%s%02ld", off < 0 ? '-' : '+',
		    labs(off) / 60, colon ? ":" : "", labs(off) % 60);
}

static void add_json_str(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c == '\n')
			strbuf_addstr(sb, "\\n");
		else if (c < 0x20)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}

/* kmsg escapes control bytes and backslashes as \xNN */
static void add_kmsg_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addch(sb, c);
	}
}

/* The whole message of a record, newlines between its lines. */
static void add_message(struct strbuf *sb, const struct rec *r,
			const char *sep)
{
	size_t i;

	if (r->prog)
		strbuf_addf(sb, "%s[%d]: ", r->prog, r->pid);
	strbuf_addstr(sb, r->text);
	for (i = 0; i < r->nr_cont; i++) {
		strbuf_addstr(sb, sep);
		strbuf_addstr(sb, r->cont[i] + 1);
	}
}

/* syslog "host prog[pid]: " */
static void add_tag(struct strbuf *sb, const struct rec *r)
{
	if (r->prog)
		strbuf_addf(sb, " " HOST " %s[%d]: ", r->prog, r->pid);
	else
		strbuf_addstr(sb, " " HOST " kernel: ");
}

/*
 * A prefix, then the first line; continuation lines follow on lines of
 * their own, indented to the width of the prefix (util-linux dmesg and
 * journalctl both do this).
 */
static void add_indented(struct strbuf *sb, size_t bol, const struct rec *r,
			 bool msg_prog)
{
	size_t width = sb->len - bol, i;

	if (msg_prog && r->prog)
		strbuf_addf(sb, "%s[%d]: ", r->prog, r->pid);
	strbuf_addstr(sb, r->text);
	strbuf_addch(sb, '\n');
	for (i = 0; i < r->nr_cont; i++)
		strbuf_addf(sb, "%*s%s\n", (int)width, "", r->cont[i] + 1);
}

static void render_json(struct strbuf *sb, const struct rec *r)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_addf(sb, "{\"__CURSOR\":\"s=a1b2c3d4e5f60718293a4b5c6d7e8f90;"
		    "i=%llx;b=" BOOT_ID ";m=%llx;t=%llx;x=1f2e3d4c5b6a7988\","
		    "\"__REALTIME_TIMESTAMP\":\"%lld\","
		    "\"__MONOTONIC_TIMESTAMP\":\"%lld\","
		    "\"_BOOT_ID\":\"" BOOT_ID "\","
		    "\"_MACHINE_ID\":\"0f4c3b2a19087f6e5d4c3b2a19087f6e\","
		    "\"_HOSTNAME\":\"" HOST "\",\"PRIORITY\":\"%d\","
		    "\"SYSLOG_FACILITY\":\"%d\",",
		    (unsigned long long)r->seq + 0x3c00,
		    (unsigned long long)r->mono_us + 900,
		    (unsigned long long)r->wall_us + 900,
		    (long long)r->wall_us + 900, (long long)r->mono_us + 900,
		    r->level, r->facility);
	if (r->prog) {
		strbuf_addf(sb, "\"_TRANSPORT\":\"syslog\","
			    "\"SYSLOG_IDENTIFIER\":\"%s\",\"_PID\":\"%d\","
			    "\"_COMM\":\"%s\",\"_UID\":\"0\",\"MESSAGE\":",
			    r->prog, r->pid, r->prog);
		add_json_str(sb, r->text);
	} else {
		strbuf_addf(sb, "\"_TRANSPORT\":\"kernel\","
			    "\"SYSLOG_IDENTIFIER\":\"kernel\","
			    "\"_SOURCE_MONOTONIC_TIMESTAMP\":\"%lld\","
			    "\"MESSAGE\":", (long long)r->mono_us);
		add_message(&msg, r, "\n");
		add_json_str(sb, msg.buf);
	}
	strbuf_addstr(sb, "}\n");
	strbuf_release(&msg);
}

static void render_kmsg(struct strbuf *sb, const struct rec *r, bool caller)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_addf(sb, "%d,%llu,%lld,-", r->facility * 8 + r->level,
		    (unsigned long long)r->seq, (long long)r->mono_us);
	if (caller)
		strbuf_addf(sb, ",caller=%c%u", r->caller_kind, r->caller_id);
	strbuf_addch(sb, ';');
	add_message(&msg, r, "\n");
	add_kmsg_text(sb, msg.buf);
	strbuf_addch(sb, '\n');
	if (r->dict) {
		strbuf_addstr(sb, r->dict);
		strbuf_addch(sb, '\n');
	}
	strbuf_release(&msg);
}

static void render_rec(struct strbuf *sb, enum fmt f, const struct rec *r)
{
	size_t bol = sb->len, i;
	char caller[16];

	switch (f) {
	case F_DMESG:
	case F_VMCORE:
		add_stamp(sb, r->mono_us);
		strbuf_addch(sb, ' ');
		add_indented(sb, bol, r, true);
		break;
	case F_DMESG_CALLER:
		add_stamp(sb, r->mono_us);
		snprintf(caller, sizeof(caller), "%c%u", r->caller_kind,
			 r->caller_id);
		strbuf_addf(sb, "[%6s] ", caller);
		add_indented(sb, bol, r, true);
		break;
	case F_DMESG_T:
		strbuf_addch(sb, '[');
		add_time(sb, "%a %b %e %H:%M:%S %Y", r->wall_us);
		strbuf_addstr(sb, "] ");
		add_indented(sb, bol, r, true);
		break;
	case F_DMESG_R:
		strbuf_addf(sb, "<%d>", r->facility * 8 + r->level);
		add_stamp(sb, r->mono_us);
		strbuf_addch(sb, ' ');
		add_indented(sb, bol, r, true);
		break;
	case F_DMESG_X:
	case F_DMESG_TX:
		strbuf_addf(sb, "%-6s:%-6s: ", facility_names[r->facility],
			    level_names[r->level]);
		if (f == F_DMESG_TX) {
			strbuf_addch(sb, '[');
			add_time(sb, "%a %b %e %H:%M:%S %Y", r->wall_us);
			strbuf_addch(sb, ']');
		} else {
			add_stamp(sb, r->mono_us);
		}
		strbuf_addch(sb, ' ');
		add_indented(sb, bol, r, true);
		break;
	case F_DMESG_ISO:
		/* util-linux writes a comma before the fraction */
		add_iso_time(sb, r->wall_us, true, true);
		sb->buf[bol + 19] = ',';
		strbuf_addch(sb, ' ');
		add_indented(sb, bol, r, true);
		break;
	case F_DMESG_UL_CALLER:
		add_stamp(sb, r->mono_us);
		snprintf(caller, sizeof(caller), "%c%u", r->caller_kind,
			 r->caller_id);
		strbuf_addf(sb, " [%7s] ", caller);
		add_indented(sb, bol, r, true);
		break;
	case F_PSTORE:
		/* the kernel's own syslog prefix, on every line */
		snprintf(caller, sizeof(caller), "%c%u", r->caller_kind,
			 r->caller_id);
		for (i = 0; i <= r->nr_cont; i++) {
			strbuf_addf(sb, "<%d>", r->facility * 8 + r->level);
			add_stamp(sb, r->mono_us);
			strbuf_addf(sb, "[%6s] ", caller);
			if (!i && r->prog)
				strbuf_addf(sb, "%s[%d]: ", r->prog, r->pid);
			strbuf_addstr(sb, i ? r->cont[i - 1] + 1 : r->text);
			strbuf_addch(sb, '\n');
		}
		break;
	case F_KMSG:
	case F_KMSG_CALLER:
		render_kmsg(sb, r, f == F_KMSG_CALLER);
		break;
	case F_SYSLOG:
	case F_SYSLOG_STAMP:
		/* imklog: every line of a record is a message of its own */
		for (i = 0; i <= r->nr_cont; i++) {
			add_syslog_time(sb, r->wall_us);
			add_tag(sb, r);
			if (f == F_SYSLOG_STAMP && !r->prog) {
				add_stamp(sb, r->mono_us);
				strbuf_addch(sb, ' ');
			}
			strbuf_addstr(sb, i ? r->cont[i - 1] + 1 : r->text);
			strbuf_addch(sb, '\n');
		}
		break;
	case F_RSYSLOG_012:
	case F_RFC3339:
	case F_RFC5424:
		if (f == F_RFC5424) {
			strbuf_addf(sb, "<%d>1 ", r->facility * 8 + r->level);
			add_iso_time(sb, r->wall_us, true, true);
			if (r->prog)
				strbuf_addf(sb, " " HOST " %s %d - - ",
					    r->prog, r->pid);
			else
				strbuf_addstr(sb, " " HOST " kernel - - - ");
		} else {
			if (f == F_RFC3339)
				add_iso_time(sb, r->wall_us, true, true);
			else
				add_syslog_time(sb, r->wall_us);
			add_tag(sb, r);
		}
		strbuf_addstr(sb, r->text);
		for (i = 0; i < r->nr_cont; i++) {
			strbuf_addstr(sb, "#012");
			strbuf_addstr(sb, r->cont[i] + 1);
		}
		strbuf_addch(sb, '\n');
		break;
	case F_SHORT:
	case F_SHORT_PRECISE:
		add_time(sb, "%b %d %H:%M:%S", r->wall_us);
		if (f == F_SHORT_PRECISE)
			strbuf_addf(sb, ".%06lld",
				    (long long)(r->wall_us % 1000000));
		add_tag(sb, r);
		add_indented(sb, bol, r, false);
		break;
	case F_SHORT_ISO:
	case F_SHORT_ISO_PRECISE:
		add_iso_time(sb, r->wall_us, f == F_SHORT_ISO_PRECISE,
			     f == F_SHORT_ISO_PRECISE);
		add_tag(sb, r);
		add_indented(sb, bol, r, false);
		break;
	case F_SHORT_MONO:
		add_stamp(sb, r->mono_us);
		add_tag(sb, r);
		add_indented(sb, bol, r, false);
		break;
	case F_SHORT_FULL:
		add_time(sb, "%a %Y-%m-%d %H:%M:%S %Z", r->wall_us);
		add_tag(sb, r);
		add_indented(sb, bol, r, false);
		break;
	case F_SHORT_UNIX:
		strbuf_addf(sb, "%lld.%06lld", (long long)(r->wall_us / 1000000),
			    (long long)(r->wall_us % 1000000));
		add_tag(sb, r);
		add_indented(sb, bol, r, false);
		break;
	case F_JSON:
		render_json(sb, r);
		break;
	case F_BARE:
		add_indented(sb, bol, r, true);
		break;
	case F_NR:
		break;
	}
}

/* Every OTHER_EVERY records of the report, one line of someone else. */
#define OTHER_EVERY 3

struct render_state {
	size_t nother;		/* others[] used so far */
	uint64_t seq;		/* kmsg sequence number */
};

static void render_part(struct strbuf *sb, const struct report *rp,
			enum fmt f, bool mixed, int64_t mono0,
			struct render_state *st)
{
	const char *const *l = rp->rec;
	size_t nrec = 0;

	while (*l) {
		struct rec r = { 0 };

		r.text = *l + 1;
		r.level = **l - '0';
		r.caller_kind = rp->caller_kind;
		r.caller_id = rp->caller_id;
		for (l++; *l && **l == '+'; l++)
			r.nr_cont++;
		r.cont = r.nr_cont ? l - r.nr_cont : NULL;
		r.mono_us = mono0 + (int64_t)nrec * STEP_US;
		r.wall_us = WALL0_US - MONO0_US + r.mono_us;
		r.seq = st->seq++;
		/* a dictionary now and then, as dev_printk() leaves */
		if (f == F_KMSG && nrec % 5 == 4)
			r.dict = " SUBSYSTEM=cpu\n DEVICE=+cpu:5";
		render_rec(sb, f, &r);
		nrec++;
		if (mixed && *l && nrec % OTHER_EVERY == 0) {
			const struct other *o =
				&others[st->nother++ % KT_ARRAY_SIZE(others)];
			struct rec u = { 0 };

			u.text = o->text;
			u.facility = o->facility;
			u.level = o->level;
			u.prog = o->prog;
			u.pid = o->pid;
			u.caller_kind = o->prog ? 'T' : 'C';
			u.caller_id = o->prog ? (unsigned)o->pid : 2;
			u.dict = o->dict;
			u.mono_us = r.mono_us + STEP_US / 2;
			u.wall_us = r.wall_us + STEP_US / 2;
			u.seq = st->seq++;
			render_rec(sb, f, &u);
		}
	}
}

/* Renders report rp in format f, alone or mixed with others[]. */
static void render(struct strbuf *sb, const struct report *rp, enum fmt f,
		   bool mixed)
{
	struct render_state st = { 0, 1234 };
	size_t i;

	if (f == F_PSTORE)
		strbuf_addstr(sb, "Panic#1 Part1\n");
	if (!rp->parts) {
		render_part(sb, rp, f, mixed, MONO0_US, &st);
		return;
	}
	for (i = 0; rp->parts[i] >= 0; i++)
		render_part(sb, &reports[rp->parts[i]], f, mixed,
			    MONO0_US + (int64_t)i * PART_GAP_S * 1000000, &st);
}

/* ------------------------------------------------------------ scanning */

struct shared {
	struct kt_ctx ctx;
	struct kt_pipeline *pl;
	struct kt_renderer *rend;	/* ndjson, as scan --format ndjson */
	struct strbuf out;	/* what it wrote for the current scan */
	json_t *ref[KT_ARRAY_SIZE(reports)];	/* dmesg's, per report */
};

static void on_write(void *data, const char *buf, size_t len)
{
	strbuf_add(data, buf, len);
}

static void on_event(void *data, struct kt_event *ev)
{
	struct shared *sh = data;

	kt_renderer_event(sh->rend, ev);
	kt_event_free(ev);
}

/* one pipeline for all tests: compiling the rules takes a while */
static struct shared shared;

static int group_setup(void **state)
{
	struct shared *sh = &shared;
	struct kt_pipeline_opts po = { 0 };
	struct kt_render_opts ro = { 0 };

	/* China Standard Time, without needing tzdata */
	setenv("TZ", "CST-8", 1);
	tzset();
	kt_ctx_init(&sh->ctx);
	/* syslog stamps carry no year: the scan is "now", a day later */
	sh->ctx.now = WALL0_US / 1000000 + 86400;
	if (kt_pipeline_new(&sh->ctx, &po, on_event, sh, &sh->pl)) {
		print_error("%s\n", kt_ctx_error(&sh->ctx));
		return -1;
	}
	strbuf_init(&sh->out, 0);
	ro.format = KT_FORMAT_NDJSON;
	ro.write = on_write;
	ro.write_data = &sh->out;
	sh->rend = kt_renderer_new(&ro);
	(void)state;
	return 0;
}

static int group_teardown(void **state)
{
	struct shared *sh = &shared;
	size_t i;

	(void)state;
	for (i = 0; i < KT_ARRAY_SIZE(sh->ref); i++)
		json_decref(sh->ref[i]);
	kt_renderer_free(sh->rend);
	strbuf_release(&sh->out);
	kt_pipeline_free(sh->pl);
	kt_ctx_release(&sh->ctx);
	return 0;
}

/* Scans text; returns its events (new reference). */
static json_t *scan(struct shared *sh, const char *name,
		    const struct strbuf *text)
{
	const char *p, *nl;
	json_t *got;
	int rc;

	kt_pipeline_reset(sh->pl);
	strbuf_reset(&sh->out);
	rc = kt_pipeline_scan_mem(&sh->ctx, sh->pl, name, text->buf,
				  text->len);
	kt_pipeline_finish(sh->pl);
	/* ndjson prints nothing at the end, but may hold events till then */
	kt_renderer_finish(sh->rend, kt_pipeline_summary(sh->pl));
	if (rc)
		print_error("%s: %s\n", name, kt_ctx_error(&sh->ctx));
	assert_int_equal(rc, 0);
	got = json_array();
	for (p = sh->out.buf; p < sh->out.buf + sh->out.len; p = nl + 1) {
		json_error_t jerr;
		json_t *ev;

		nl = memchr(p, '\n', (size_t)(sh->out.buf + sh->out.len - p));
		assert_non_null(nl);
		ev = json_loadb(p, (size_t)(nl - p), 0, &jerr);
		if (!ev)
			fail_msg("%s: bad ndjson line: %s", name, jerr.text);
		json_array_append_new(got, ev);
	}
	return got;
}

/*
 * Partial match as in tests/cases: every key of want is in got and
 * matches; a list matches when its first elements do.  Appends the
 * first difference to why and returns false.
 */
static bool match(const json_t *want, const json_t *got, struct strbuf *why,
		  const char *path)
{
	struct strbuf sub = STRBUF_INIT;
	bool ok = true;

	if (json_is_object(want) && json_is_object(got)) {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)want, k, v) {
			strbuf_reset(&sub);
			strbuf_addf(&sub, "%s.%s", path, k);
			if (!match(v, json_object_get(got, k), why, sub.buf)) {
				ok = false;
				break;
			}
		}
	} else if (json_is_array(want) && json_is_array(got) &&
		   json_array_size(got) >= json_array_size(want)) {
		size_t i;
		json_t *v;

		json_array_foreach((json_t *)want, i, v) {
			strbuf_reset(&sub);
			strbuf_addf(&sub, "%s[%zu]", path, i);
			if (!match(v, json_array_get(got, i), why, sub.buf)) {
				ok = false;
				break;
			}
		}
	} else if (!got || !json_equal((json_t *)want, (json_t *)got)) {
		char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
		char *g = got ? json_dumps(got, JSON_ENCODE_ANY |
					   JSON_COMPACT) : NULL;

		strbuf_addf(why, "%s: expected %s, got %s\n", path, w,
			    g ? g : "(missing)");
		free(w);
		free(g);
		ok = false;
	}
	strbuf_release(&sub);
	return ok;
}

/* Keys that name the rendered text, not the report: see the top. */
static const char *const per_format_keys[] = { "id", "time", "monotonic",
	"host", "host_id", "source", "source_file", "line_number",
	"detected_at", NULL };

/* Fields that hold the id of another event of the same scan. */
static const char *const id_fields[] = { "caused_by", "cause_event", NULL };

/*
 * A copy of event i of evs without the per-format keys, its references
 * to other events turned from ids into "#N", N the other's index.
 */
static json_t *strip(const json_t *evs, size_t i)
{
	json_t *c = json_deep_copy(json_array_get(evs, i));
	json_t *fields = json_object_get(c, "fields");
	size_t k, j;

	for (k = 0; per_format_keys[k]; k++)
		json_object_del(c, per_format_keys[k]);
	for (k = 0; id_fields[k]; k++) {
		json_t *v = json_object_get(fields, id_fields[k]);

		if (!json_is_string(v))
			continue;
		for (j = 0; j < json_array_size(evs); j++) {
			json_t *id = json_object_get(json_array_get(evs, j),
						     "id");
			char num[32];

			if (!json_equal(id, v))
				continue;
			snprintf(num, sizeof(num), "#%zu", j);
			json_object_set_new(fields, id_fields[k],
					    json_string(num));
			break;
		}
	}
	return c;
}

static void dump_events(const char *what, const json_t *evs)
{
	size_t i;
	json_t *v;

	/* print_message() cuts long lines */
	printf("%s: %zu event(s)\n", what, json_array_size(evs));
	json_array_foreach((json_t *)evs, i, v) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

		printf("  %s\n", s);
		free(s);
	}
}

static const json_t *reference(struct shared *sh, size_t ri);

/*
 * The reference of a log of several reports: plain dmesg, checked to be
 * the events of its parts one after the other.
 */
static const json_t *reference_parts(struct shared *sh, size_t ri)
{
	static const char *const keys[] = { "type", "subtype", "severity",
		"title", "fingerprint", "message", NULL };
	const struct report *rp = &reports[ri];
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	json_t *want = json_array(), *got;
	size_t i, k;

	for (i = 0; rp->parts[i] >= 0; i++)
		json_array_extend(want, (json_t *)reference(sh,
							    rp->parts[i]));
	render(&text, rp, F_DMESG, false);
	got = scan(sh, "dmesg.txt", &text);
	if (json_array_size(got) != json_array_size(want))
		strbuf_addf(&why, "expected %zu events, got %zu\n",
			    json_array_size(want), json_array_size(got));
	for (i = 0; !why.len && i < json_array_size(want); i++)
		for (k = 0; keys[k]; k++) {
			json_t *a = json_object_get(json_array_get(want, i),
						    keys[k]);
			json_t *b = json_object_get(json_array_get(got, i),
						    keys[k]);

			if (!json_equal(a, b))
				strbuf_addf(&why, "event %zu: %s: expected %s,"
					    " got %s\n", i, keys[k],
					    json_string_value(a),
					    json_string_value(b));
		}
	if (why.len) {
		dump_events(rp->name, got);
		printf("%s in plain dmesg: %s", rp->name, why.buf);
		fail_msg("%s: plain dmesg is not scanned as expected",
			 rp->name);
	}
	json_decref(want);
	strbuf_release(&text);
	strbuf_release(&why);
	sh->ref[ri] = got;
	return got;
}

/* The reference: plain dmesg, checked against the report's want list. */
static const json_t *reference(struct shared *sh, size_t ri)
{
	const struct report *rp = &reports[ri];
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	json_error_t jerr;
	json_t *want, *got;
	size_t i;
	bool ok;

	if (sh->ref[ri])
		return sh->ref[ri];
	if (rp->parts)
		return reference_parts(sh, ri);
	want = json_loads(rp->want, 0, &jerr);
	if (!want)
		fail_msg("%s: bad want list: %s", rp->name, jerr.text);
	render(&text, rp, F_DMESG, false);
	got = scan(sh, "dmesg.txt", &text);
	ok = json_array_size(got) == json_array_size(want);
	if (!ok)
		strbuf_addf(&why, "expected %zu events, got %zu\n",
			    json_array_size(want), json_array_size(got));
	for (i = 0; ok && i < json_array_size(want); i++)
		ok = match(json_array_get(want, i), json_array_get(got, i),
			   &why, "$");
	if (!ok) {
		dump_events(rp->name, got);
		printf("%s in plain dmesg: %s", rp->name, why.buf);
		fail_msg("%s: plain dmesg is not scanned as expected",
			 rp->name);
	}
	json_decref(want);
	strbuf_release(&text);
	strbuf_release(&why);
	sh->ref[ri] = got;
	return got;
}

struct variant {
	size_t report;
	enum fmt fmt;
	bool mixed;
	char name[64];
};

/* What the format must give for time, monotonic and host. */
static void check_per_format(const struct variant *v, const json_t *ref,
			     const json_t *got, struct strbuf *why)
{
	unsigned has = fmts[v->fmt].has;
	json_t *mono = json_object_get(ref, "monotonic");
	json_t *t = json_object_get(got, "time");
	json_t *m = json_object_get(got, "monotonic");
	json_t *h = json_object_get(got, "host");
	int64_t us;

	if (!json_is_real(mono)) {
		strbuf_addstr(why, "dmesg gave no monotonic\n");
		return;
	}
	us = (int64_t)(json_real_value(mono) * 1e6 + 0.5);
	if (has & HAS_WALL) {
		struct strbuf want = STRBUF_INIT;

		kt_time_format(&want, WALL0_US + (us - MONO0_US), false);
		if (!json_is_string(t) ||
		    strcmp(json_string_value(t), want.buf))
			strbuf_addf(why, "time: expected %s, got %s\n",
				    want.buf, json_is_string(t) ?
				    json_string_value(t) : "null");
		strbuf_release(&want);
	} else if (!json_is_null(t)) {
		strbuf_addf(why, "time: expected null, got %s\n",
			    json_string_value(t));
	}
	if (has & HAS_MONO) {
		if (!json_is_real(m) ||
		    (int64_t)(json_real_value(m) * 1e6 + 0.5) != us)
			strbuf_addf(why, "monotonic: expected %.6f, got %.6f\n",
				    json_real_value(mono),
				    json_is_real(m) ? json_real_value(m) : -1);
	} else if (!json_is_null(m)) {
		strbuf_addf(why, "monotonic: expected null, got %.6f\n",
			    json_real_value(m));
	}
	if (has & HAS_HOST) {
		if (!json_is_string(h) || strcmp(json_string_value(h), HOST))
			strbuf_addf(why, "host: expected " HOST ", got %s\n",
				    json_is_string(h) ?
				    json_string_value(h) : "null");
	} else if (!json_is_null(h)) {
		strbuf_addf(why, "host: expected null, got %s\n",
			    json_string_value(h));
	}
}

static void test_variant(void **state)
{
	struct variant *v = *state;
	struct shared *sh = &shared;
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	const json_t *ref = reference(sh, v->report);
	json_t *got;
	size_t i;

	render(&text, &reports[v->report], v->fmt, v->mixed);
	if (getenv("KT_TEST_DUMP")) {
		struct strbuf path = STRBUF_INIT;
		FILE *fp;
		char *slash;

		strbuf_addf(&path, "%s/%s", getenv("KT_TEST_DUMP"), v->name);
		slash = strrchr(path.buf, '/');
		*slash = '-';
		fp = fopen(path.buf, "w");
		if (fp) {
			fwrite(text.buf, 1, text.len, fp);
			fclose(fp);
		}
		strbuf_release(&path);
	}
	got = scan(sh, v->name, &text);
	if (json_array_size(got) != json_array_size(ref))
		strbuf_addf(&why, "expected %zu events, got %zu\n",
			    json_array_size(ref), json_array_size(got));
	for (i = 0; !why.len && i < json_array_size(ref); i++) {
		json_t *a = strip(ref, i);
		json_t *b = strip(got, i);

		if (!json_equal(a, b)) {
			char *sa = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
			char *sb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);

			strbuf_addf(&why, "event %zu differs:\n  dmesg: %s\n"
				    "  %s: %s\n", i, sa, v->name, sb);
			free(sa);
			free(sb);
		} else {
			check_per_format(v, json_array_get(ref, i),
					 json_array_get(got, i), &why);
		}
		json_decref(a);
		json_decref(b);
	}
	if (why.len) {
		if (getenv("KT_TEST_VERBOSE"))
			fputs(text.buf, stdout);
		dump_events(v->name, got);
		printf("%s: %s", v->name, why.buf);
		fail_msg("%s: the events differ from plain dmesg's", v->name);
	}
	json_decref(got);
	strbuf_release(&text);
	strbuf_release(&why);
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	enum { NR = KT_ARRAY_SIZE(reports) * F_NR * 2 };
	static struct variant var[NR];
	static struct CMUnitTest test[NR];
	const char *only = argc > 1 ? argv[1] : NULL;
	size_t n = 0, ri;
	int f, mixed;

	for (ri = 0; ri < KT_ARRAY_SIZE(reports); ri++)
		for (f = 0; f < F_NR; f++)
			for (mixed = 0; mixed < 2; mixed++) {
				struct variant *v = &var[n];

				v->report = ri;
				v->fmt = (enum fmt)f;
				v->mixed = mixed;
				snprintf(v->name, sizeof(v->name), "%s/%s%s",
					 reports[ri].name, fmts[f].name,
					 mixed ? "+mixed" : "");
				if (only && !strstr(v->name, only))
					continue;
				test[n].name = v->name;
				test[n].test_func = test_variant;
				test[n].initial_state = v;
				n++;
			}
	return _cmocka_run_group_tests("formats", test, n, group_setup,
				       group_teardown);
}
