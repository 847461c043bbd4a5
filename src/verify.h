/*
 * The core's single entry point: a JSON request in, a JSON response out
 * (docs/core-api.md).
 */
#ifndef CV_VERIFY_H
#define CV_VERIFY_H

#include "cv.h"

/*
 * Run one request. *out receives a malloc'd, NUL-terminated JSON response
 * (a report, an inspect result, or {"error":{code,message}}) and *out_len its
 * length; *out is NULL only when memory ran out. Returns CV_OK when the
 * response is a report or an inspect result, else the error's code.
 */
cv_err cv_run_json(const char *req, size_t req_len, char **out, size_t *out_len);

#endif
