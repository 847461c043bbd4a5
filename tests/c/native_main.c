/*
 * Native runner of the JSON entry point: reads a request (file argument or
 * stdin) and prints the response. Tests compare its output with the WASM's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "verify.h"

int main(int argc, char **argv)
{
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
