/*
 * The images a docker-compose file makes Docker Compose run, as compose-go
 * loads it (docs/compose-model.md): every YAML document merged in order,
 * `!reset` / `!override`, merge keys, same-file `extends`, `include`,
 * `build`, image volumes and `${VAR}` interpolation. Where the measured
 * text cannot say what runs, the entry is not pinned, with the reason.
 */
#ifndef CV_COMPOSE_IMAGES_H
#define CV_COMPOSE_IMAGES_H

#include <stddef.h>

#include "cv.h"

#define CV_MAX_SERVICES 256
#define CV_MAX_IMAGES   1024   /* service images + image volumes + includes */

typedef enum {
	CV_IMAGE_SERVICE,       /* a service's `image:` (or its absence) */
	CV_IMAGE_VOLUME,        /* a `volumes:` entry of `type: image` of that service */
	CV_IMAGE_INCLUDE,       /* `include:`: services from files not measured here */
	CV_IMAGE_HOOK,          /* a `pre_start:` hook's `image:` (an init container) */
	CV_IMAGE_MODEL          /* a top-level `models:` entry's `model:` (pulled as an OCI artifact) */
} cv_image_kind;

typedef struct {
	char *service;          /* owned; "include" for CV_IMAGE_INCLUDE, the model's name for CV_IMAGE_MODEL */
	char *image;            /* owned; NULL when none is named (or known) */
	int pinned;
	const char *why;        /* static reason: why not pinned, or that it is pinned */
	cv_image_kind kind;
} cv_image;

typedef struct {
	cv_image *v;            /* owned */
	size_t n;
} cv_image_list;

/*
 * List what the docker-compose YAML makes Compose run: one entry per
 * service (its image), one per image volume and pre_start hook image, one
 * per top-level model, one for any `include`. Codes:
 * CV_COMPOSE_MALFORMED (with the line where known: YAML the reader does not
 * read, or what Compose itself refuses), CV_OUT_OF_MEMORY. On error *out is
 * empty. Always call cv_image_list_free.
 */
cv_err cv_compose_images(const char *yaml, size_t len, cv_image_list *out, cv_diag *d);
void cv_image_list_free(cv_image_list *l);

/* An image string is pinned iff it ends in "@sha256:" + 64 lower-case hex
 * and holds no '$' (Compose interpolates it from the host's environment).
 * *why gets the reason when not pinned, NULL when pinned. */
int cv_image_pinned(const char *image, const char **why);

#endif
