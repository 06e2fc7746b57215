/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs files (corpus entries, crash reproducers) through a fuzz target's
 * LLVMFuzzerTestOneInput without libFuzzer, so gcc builds and CI can replay
 * them.  Arguments are files or directories (one level).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay_file(const char *path, unsigned *count)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	long size;
	int ret = -1;

	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
			strerror(errno));
		goto done;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot size '%s'\n", path);
		goto done;
	}
	/* malloc exactly size bytes so ASan sees any read past the end */
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL) {
		goto done;
	}
	if (size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "replay: short read on '%s'\n", path);
		goto done;
	}
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	*count += 1;
	ret = 0;
done:
	free(buf);
	if (f != NULL) {
		fclose(f);
	}
	return ret;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int failures = 0;
	int i;

	if (LLVMFuzzerInitialize != NULL) {
		LLVMFuzzerInitialize(&argc, &argv);
	}
	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *d = NULL;
		struct dirent *de = NULL;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: '%s': %s\n", argv[i],
				strerror(errno));
			failures++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failures += (replay_file(argv[i], &count) != 0);
			continue;
		}
		d = opendir(argv[i]);
		if (d == NULL) {
			failures++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			char path[4096];

			if (de->d_name[0] == '.') {
				continue;
			}
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 de->d_name);
			failures += (replay_file(path, &count) != 0);
		}
		closedir(d);
	}
	printf("replayed %u inputs, %d unreadable\n", count, failures);
	return failures == 0 ? 0 : 1;
}
