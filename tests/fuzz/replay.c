/*
 * replay.c - runs a fuzz target on files, without libFuzzer.
 *
 * Linked with one tests/fuzz/fuzz_<name>.c into replay_<name>, so that
 * every build replays the seed corpus (and any crash input added to it)
 * as a plain regression test, under the sanitizers in build-asan/.
 */
#include "base/compat.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "fuzz.h"
#include <dirent.h>
#include <sys/stat.h>

/* Inputs are capped like the fuzzer's -max_len, with room to spare. */
#define REPLAY_MAX (1024 * 1024)

static int replay_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb.len + n > REPLAY_MAX) {
			fprintf(stderr, "replay: '%s' is over %d bytes\n", path,
				REPLAY_MAX);
			rc = -1;
			goto cleanup;
		}
		strbuf_add(&sb, buf, n);
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		rc = -1;
		goto cleanup;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)sb.buf, sb.len);
cleanup:
	strbuf_release(&sb);
	fclose(f);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files of a folder in name order; counts them. */
static int replay_dir(const char *dir, unsigned *count)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char **name = NULL;
	size_t nr = 0, alloc = 0, i;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", dir,
			strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ALLOC_GROW(name, nr + 1, alloc);
		name[nr++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(name, nr, sizeof(*name), cmp_names);
	for (i = 0; i < nr; i++) {
		struct strbuf path = STRBUF_INIT;
		struct stat st;

		strbuf_addf(&path, "%s/%s", dir, name[i]);
		if (!stat(path.buf, &st) && S_ISREG(st.st_mode)) {
			if (replay_file(path.buf))
				rc = -1;
			(*count)++;
		}
		strbuf_release(&path);
		free(name[i]);
	}
	free(name);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count))
				rc = 1;
		} else {
			if (replay_file(argv[i]))
				rc = 1;
			count++;
		}
	}
	if (!count) {
		fprintf(stderr, "replay: no input found\n");
		return 1;
	}
	printf("replay: %u input(s) ran without a finding\n", count);
	return rc;
}
