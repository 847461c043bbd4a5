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

/*
 * The same with a verification cache (src/cache.h: cv_cache_new /
 * cv_cache_free), owned by the caller and reused across requests: a verify
 * request whose collateral was verified before, and is still inside its
 * validity window at the request's now, skips the signatures already
 * found valid. Responses are byte-identical to cv_run_json's. cache may
 * be NULL (= cv_run_json).
 */
typedef struct cv_cache cv_cache;
cv_err cv_run_json_cached(cv_cache *cache, const char *req, size_t req_len, char **out, size_t *out_len);

#endif
