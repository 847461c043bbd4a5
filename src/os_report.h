/*
 * The report's "os" and "vm_config" sections (issue 14), written with the
 * report's JSON writer (src/jsonw.h). Shapes: docs/os-image.md.
 */
#ifndef CV_OS_REPORT_H
#define CV_OS_REPORT_H

#include "jsonw.h"
#include "os_image.h"

/* The value of "os": an object (the caller writes the key). */
void cv_os_write_json(cv_jw *w, const cv_os_result *r);

/*
 * The value of "vm_config": an object, or null when vm is NULL. Every field is
 * host-supplied; "bound" lists the ones the OS computation reads, "verified"
 * the ones whose exact value it proved (os_image_hash, memory_size,
 * ovmf_variant, tdx_measurement, once r->verified from a manifest; empty
 * otherwise: qemu_version and qemu_single_pass_add_pages bind only the MRTD
 * candidate). tdx_measurement is summarised by the sha256 of
 * its two files rather than copied.
 */
void cv_vm_config_write_json(cv_jw *w, const cv_vm_config *vm, const cv_os_result *r);

#endif
