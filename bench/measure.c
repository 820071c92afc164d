/*
 * measure.c - runs one command and reports its wall time, CPU time and
 * peak resident set size (from wait4's rusage), for bench/run.sh.  Plays
 * the part of `/usr/bin/time -f '%e %M'` without needing that package.
 * Standalone: plain C11 and POSIX, no project code.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void usage(FILE *fp)
{
	fputs("usage: measure [-o FILE] [--] COMMAND [ARG]...\n"
	      "\n"
	      "Runs COMMAND with the same standard input and output and "
	      "writes one line\n"
	      "  wall_s=W user_s=U sys_s=S maxrss_kb=K status=N\n"
	      "to FILE (default: standard error).  N is the exit status, or "
	      "128 + the\n"
	      "signal number; measure exits with N too.\n", fp);
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out = stderr;
	int i = 1, status, code;
	double wall;
	pid_t pid;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[i + 1];
			i += 2;
		} else {
			fprintf(stderr, "measure: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 125;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 125;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "measure: cannot fork: %s\n", strerror(errno));
		return 125;
	}
	if (!pid) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "measure: cannot run '%s': %s\n", argv[i],
			strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "measure: wait4 failed: %s\n",
				strerror(errno));
			return 125;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		code = 128 + WTERMSIG(status);
	else
		code = 125;

	if (out_path) {
		out = fopen(out_path, "w");
		if (!out) {
			fprintf(stderr, "measure: cannot open '%s': %s\n",
				out_path, strerror(errno));
			return 125;
		}
	}
	fprintf(out, "wall_s=%.3f user_s=%.3f sys_s=%.3f maxrss_kb=%ld "
		"status=%d\n", wall, seconds(&ru.ru_utime),
		seconds(&ru.ru_stime), ru.ru_maxrss, code);
	if (out_path && fclose(out)) {
		fprintf(stderr, "measure: cannot write '%s': %s\n", out_path,
			strerror(errno));
		return 125;
	}
	return code;
}
