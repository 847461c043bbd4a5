/*
 * The app-compose reader (cv_app_compose_parse) and the bounded
 * docker-compose YAML reader (cv_compose_images: mappings, sequences,
 * scalars, block scalars, flow collections, anchors / aliases, merge keys,
 * extends), which cv_run_json reaches through an app-compose's
 * docker_compose_file. The input is read as YAML directly, and as an
 * app-compose JSON object whose docker_compose_file is then read as YAML.
 * Invariants: every listed entry has a name and a reason, at most
 * CV_MAX_IMAGES, and pinned implies cv_image_pinned.
 */
#include "compose.h"
#include "crypto.h"
#include "fuzz_common.h"

static void yaml(const char *text, size_t len)
{
	cv_image_list l;
	cv_diag d;
	cv_diag_clear(&d);
	memset(&l, 0, sizeof l);
	cv_err e = cv_compose_images(text, len, &l, &d);
	if (e == CV_OK) {
		FUZZ_ASSERT(l.n <= CV_MAX_IMAGES);
		for (size_t i = 0; i < l.n; i++) {
			FUZZ_ASSERT(l.v[i].service != NULL);
			/* Pinned only when the image string itself is pinned (a build,
			 * include or foreign extends can only make it not pinned). */
			const char *why = NULL;
			if (l.v[i].pinned)
				FUZZ_ASSERT(l.v[i].image && cv_image_pinned(l.v[i].image, &why));
			FUZZ_ASSERT(l.v[i].why != NULL);
		}
	} else {
		FUZZ_ASSERT(d.code == e && d.msg[0]);
	}
	cv_image_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	yaml(text, size);
	cv_app_compose ac;
	cv_diag d;
	if (cv_app_compose_parse(text, size, &ac, &d) == CV_OK) {
		if (ac.docker_compose_file)
			yaml(ac.docker_compose_file, strlen(ac.docker_compose_file));
	}
	cv_app_compose_free(&ac);
	uint8_t h[32];
	cv_keccak256(data, size, h);
	free(text);
	return 0;
}
