/*
 * Native runner of the JSON entry point: reads a request (file argument or
 * stdin) and prints the response. Tests compare its output with the WASM's.
 *
 * With --lines FILE: FILE holds one request per line; prints one response per
 * line, in order (the golden comparison, tests/golden/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"

static int run_lines(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 2;
	}
	size_t cap = 1 << 16, len = 0;
	char *line = malloc(cap);
	int c;
	while (line) {
		c = fgetc(f);
		if (c != EOF && c != '\n') {
			if (len + 1 == cap) {
				char *nl = realloc(line, cap *= 2);
				if (!nl) { free(line); line = NULL; break; }
				line = nl;
			}
			line[len++] = (char)c;
			continue;
		}
		if (len > 0) {
			char *out = NULL;
			size_t out_len = 0;
			cv_run_json(line, len, &out, &out_len);
			if (!out) { free(line); fclose(f); return 2; }
			fwrite(out, 1, out_len, stdout);
			fputc('\n', stdout);
			free(out);
		}
		len = 0;
		if (c == EOF)
			break;
	}
	fclose(f);
	if (!line)
		return 2;
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--lines") == 0)
		return run_lines(argv[2]);
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
	if (!f) {
		fprintf(stderr, "cannot open %s\n", argv[1]);
		return 2;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) { free(buf); buf = NULL; }
			buf = nb;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf)
		return 2;
	char *out = NULL;
	size_t out_len = 0;
	cv_err e = cv_run_json(buf, len, &out, &out_len);
	free(buf);
	if (!out)
		return 2;
	fwrite(out, 1, out_len, stdout);
	fputc('\n', stdout);
	free(out);
	return e == CV_OK ? 0 : 1;
}
