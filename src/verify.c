/* Entry point: request parsing, orchestration, verdict and report. (in progress) */
#include <stdlib.h>
#include <string.h>

#include "verify.h"

cv_err cv_run_json(const char *req, size_t req_len, char **out, size_t *out_len)
{
	static const char msg[] = "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"not implemented yet\"}}";
	(void)req;
	(void)req_len;
	*out = malloc(sizeof msg);
	if (*out)
		memcpy(*out, msg, sizeof msg);
	*out_len = sizeof msg - 1;
	return CV_INTERNAL;
}
