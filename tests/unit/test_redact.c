/*
 * test_redact.c - unit tests of output/redact: what --redact hides from
 * the language model (IPv4, IPv6, domain names, known hosts and users,
 * home directories), what it must leave alone (times, versions, MAC and
 * PCI addresses, hex ids, sysctl names), stable numbering, and the way
 * back from the answer's placeholders.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "output/redact.h"

#include <setjmp.h>
#include <cmocka.h>

static void expect(struct kt_redact *r, const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	kt_redact_str(r, in, &sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void same(const char *in)
{
	struct kt_redact r;

	kt_redact_init(&r);
	expect(&r, in, in);
	assert_int_equal(kt_redact_count(&r), 0);
	kt_redact_release(&r);
}

static void test_ipv4(void **state)
{
	struct kt_redact r;

	(void)state;
	kt_redact_init(&r);
	expect(&r, "nfs: server 10.20.0.15 not responding",
	       "nfs: server ip-1 not responding");
	expect(&r, "from 192.168.1.1:22, again 10.20.0.15/24.",
	       "from ip-2:22, again ip-1/24.");
	expect(&r, "[10.20.0.15]", "[ip-1]");
	kt_redact_release(&r);
	same("kernel 5.15.0-91-generic, glibc 2.39, 1.2.3.4.5");
	same("256.1.1.1 and 1.2.3 and v1.2.3.4 and 1.2.3.4a");
}

static void test_ipv6(void **state)
{
	struct kt_redact r;

	(void)state;
	kt_redact_init(&r);
	expect(&r, "server fd00:1234::15 not responding",
	       "server ip-1 not responding");
	expect(&r, "FD00:1234::15 again", "ip-1 again");
	expect(&r, "[2001:db8:0:0:0:0:2:1]:443 and ::1 and fe80::1%eth0",
	       "[ip-2]:443 and ip-3 and ip-4%eth0");
	expect(&r, "mapped ::ffff:10.1.2.3.", "mapped ip-5.");
	kt_redact_release(&r);
	/* times, MAC and PCI addresses, 16-hex ids and code are not IPs */
	same("at 12:34:56 on 00:1a:2b:3c:4d:5e, pci 0000:00:1f.2");
	same("id 57a1b655746547ee, RIP: 0010:tcp_sendmsg+0x51a/0xd00");
	same("std::vector and Foo::bar and a:b:c");
	same("ffffffffc06d54a8 and 1:2:3:4:5:6:7 and 1::2::3");
}

static void test_fqdn(void **state)
{
	struct kt_redact r;

	(void)state;
	kt_redact_init(&r);
	expect(&r, "server filer01.corp.example.com not responding",
	       "server host-1 not responding");
	expect(&r, "mail alice@mx.example.org, db.internal, WEB.Example.COM",
	       "mail alice@host-2, host-3, host-4");
	kt_redact_release(&r);
	same("kernel.panic = 1, nginx.service, libc.so.6, ext4.ko");
	same("/etc/ktriage/ktriage.conf and report.html and a.b");
}

static void test_known_words(void **state)
{
	struct kt_redact r;

	(void)state;
	kt_redact_init(&r);
	kt_redact_add_host(&r, "db3");
	kt_redact_add_host(&r, "dbhost7");
	kt_redact_add_host(&r, "localhost");	/* no secret */
	kt_redact_add_host(&r, "x");		/* too short */
	kt_redact_add_user(&r, "bob");
	expect(&r, "dbhost7 and DB3 in messages-db3.log, not db33 or xdb3",
	       "host-1 and host-2 in messages-host-2.log, not db33 or xdb3");
	expect(&r, "bob ran it, Bob did not; localhost x",
	       "user-1 ran it, Bob did not; localhost x");
	kt_redact_release(&r);
}

static void test_users(void **state)
{
	struct kt_redact r;

	(void)state;
	kt_redact_init(&r);
	/* the user is learnt from the path, and hidden before it too */
	expect(&r, "alice: /home/alice/bin/worker and /Users/carol",
	       "user-1: /home/user-1/bin/worker and /Users/user-2");
	expect(&r, "alice again, session opened for user dave",
	       "user-1 again, session opened for user user-3");
	expect(&r, "acct=\"erin\" user=1000 USER=frank /root/x",
	       "acct=\"user-4\" user=1000 USER=user-5 /root/x");
	kt_redact_release(&r);
}

static void test_restore(void **state)
{
	struct kt_redact r;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	kt_redact_init(&r);
	kt_redact_add_host(&r, "dbhost7");
	expect(&r, "dbhost7 lost 10.20.0.15 in /home/alice",
	       "host-1 lost ip-1 in /home/user-1");
	assert_int_equal(kt_redact_count(&r), 3);
	kt_redact_restore(&r, "host-1 (ip-1) of user-1; host-10, xhost-1, "
			  "ip-1x, user-9, host-", &sb);
	assert_string_equal(sb.buf, "dbhost7 (10.20.0.15) of alice; host-10, "
			    "xhost-1, ip-1x, user-9, host-");
	strbuf_release(&sb);
	kt_redact_release(&r);
}

static void test_json(void **state)
{
	struct kt_redact r;
	json_t *j = json_pack("{s:s,s:[s,s,s],s:{s:s},s:i}",
			      "a", "seen on web1", "b", "10.0.0.1",
			      "/home/zed/x", "web1.example.com",
			      "zed", "zed", "zed was here", "n", 3);
	char *s;

	(void)state;
	kt_redact_init(&r);
	kt_redact_add_host(&r, "web1");
	kt_redact_json(&r, j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	/* keys stay; zed, learnt from a later string, is hidden everywhere */
	assert_string_equal(s, "{\"a\":\"seen on host-1\",\"b\":[\"ip-1\","
			    "\"/home/user-1/x\",\"host-2\"],\"n\":3,"
			    "\"zed\":{\"zed\":\"user-1 was here\"}}");
	free(s);
	json_decref(j);
	kt_redact_release(&r);
}

static void test_stable(void **state)
{
	struct kt_redact a, b;
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	const char *text = "10.0.0.2 10.0.0.1 h.example.com 10.0.0.2";

	(void)state;
	kt_redact_init(&a);
	kt_redact_init(&b);
	kt_redact_str(&a, text, &x);
	kt_redact_str(&b, text, &y);
	assert_string_equal(x.buf, y.buf);
	assert_string_equal(x.buf, "ip-1 ip-2 host-1 ip-1");
	strbuf_release(&x);
	strbuf_release(&y);
	kt_redact_release(&a);
	kt_redact_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_fqdn),
		cmocka_unit_test(test_known_words),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
