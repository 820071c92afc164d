"""Kernel reports as syslog lines, for the watch tests and benchmarks.

Each problem kind renders one report (a list of lines) for a host, a
time and a monotonic clock; problems of one kind with different
parameters (a task, a function, a device) are different problems for
ktriage (different fingerprints), the same problem again is a repeat.
"""
import random
import time

NOISE = [
    "systemd[1]: Started Session {n} of user root.",
    "CRON[{n}]: (root) CMD (run-parts /etc/cron.hourly)",
    "kernel: [{mono:12.6f}] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
    "sshd[{n}]: Accepted publickey for deploy from 10.0.0.{m} port 5{n} ssh2",
    "kernel: [{mono:12.6f}] e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex",
]


def oops(func):
    return [
        "BUG: kernel NULL pointer dereference, address: 0000000000000010",
        "#PF: supervisor read access in kernel mode",
        "#PF: error_code(0x0000) - not-present page",
        "Oops: 0000 [#1] SMP NOPTI",
        "CPU: 3 PID: {pid} Comm: worker Not tainted 5.15.0-91-generic #101-Ubuntu",
        "RIP: 0010:" + func + "+0x51a/0xd00",
        "Call Trace:",
        " <TASK>",
        " " + func + "+0x28/0x40",
        " do_syscall_64+0x59/0xc0",
        " entry_SYSCALL_64_after_hwframe+0x62/0xcc",
        " </TASK>",
        "Modules linked in: xt_conntrack nf_nat bonding",
        "CR2: 0000000000000010",
        "---[ end trace 3f2a4c8e9d11b7a0 ]---",
    ]


def ext4(dev):
    return [
        "EXT4-fs error (device " + dev + "): ext4_lookup:1602: inode #2: "
        "comm ls: deleted inode referenced: 12",
    ]


def oom(comm):
    return [
        comm + " invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), "
        "order=0, oom_score_adj=0",
        "CPU: 1 PID: {pid} Comm: " + comm + " Not tainted 5.15.0-91-generic #101-Ubuntu",
        "Call Trace:",
        " <TASK>",
        " dump_stack_lvl+0x48/0x70",
        " dump_header+0x4a/0x240",
        " oom_kill_process.cold+0xb/0x10",
        " out_of_memory+0x106/0x2e0",
        " __alloc_pages_slowpath.constprop.0+0x97a/0xa70",
        " </TASK>",
        "Out of memory: Killed process {pid} (" + comm + ") total-vm:8123456kB, "
        "anon-rss:7012345kB, file-rss:0kB, shmem-rss:0kB, UID:0 "
        "pgtables:14000kB oom_score_adj:0",
    ]


HUNG_IN = {"jbd2/sda1-8": "jbd2_journal_commit_transaction",
           "kworker/u16:2": "blk_mq_get_tag"}


def hung(comm):
    return [
        "INFO: task " + comm + ":{pid} blocked for more than 120 seconds.",
        "      Not tainted 5.15.0-91-generic #101-Ubuntu",
        "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
        "task:" + comm + "         state:D stack:    0 pid:{pid} ppid:     2 flags:0x00004000",
        "Call Trace:",
        " <TASK>",
        " __schedule+0x2cd/0x8a0",
        " schedule+0x4e/0xb0",
        " io_schedule+0x16/0x40",
        " wait_on_page_bit_common+0x16e/0x3b0",
        " " + HUNG_IN[comm] + "+0x1b6/0x3e0",
        " kthread+0x127/0x150",
        " </TASK>",
    ]


# One problem: (kind, parameter).  All of these are major or critical.
PROBLEMS = (
    [(oops, f) for f in ("tcp_sendmsg_locked", "ext4_writepages", "blk_mq_run_hw_queue")]
    + [(ext4, d) for d in ("sda1", "sdb1", "nvme0n1p2")]
    + [(oom, c) for c in ("java", "mysqld", "python3")]
    + [(hung, c) for c in ("jbd2/sda1-8", "kworker/u16:2")]
)


class Log:
    """Writes reports and noise as syslog lines with a running clock."""

    def __init__(self, host="node7", seed=1):
        self.host = host
        self.rng = random.Random(seed)
        self.wall = 1763700000  # 2025-11-21
        self.mono = 1000.0
        self.n = 100

    def _stamp(self):
        self.wall += self.rng.randint(0, 3)
        self.mono += self.rng.random() * 2
        return time.strftime("%b %e %H:%M:%S", time.gmtime(self.wall))

    def noise(self):
        self.n += 1
        text = self.rng.choice(NOISE).format(n=self.n, m=self.n % 250,
                                             mono=self.mono)
        return "%s %s %s\n" % (self._stamp(), self.host, text)

    def report(self, problem):
        kind, param = problem
        self.n += 1
        stamp = self._stamp()
        out = []
        for text in kind(param):
            self.mono += 0.000013
            out.append("%s %s kernel: [%12.6f] %s\n" % (
                stamp, self.host, self.mono,
                text.replace("{pid}", str(self.n))))
        return out
