/*
 * TD HOB reconstruction (src/tdhob.h).
 */
#include <string.h>

#include "tdhob.h"

#define PAGE 0x1000ull
#define RES_SYSTEM_MEMORY 0x00u    /* EFI_RESOURCE_SYSTEM_MEMORY: accepted */
#define RES_UNACCEPTED    0x07u    /* EFI_RESOURCE_MEMORY_UNACCEPTED */

typedef struct {
	uint64_t start, end;
	int accepted;
} mem_range;

typedef struct {
	mem_range r[CV_TDHOB_MAX_HOBS];
	size_t n;
} mem_map;

static int read_varint(const uint8_t *w, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	for (;;) {
		if (*pos >= len)
			return -1;
		uint8_t b = w[(*pos)++];
		v |= (uint64_t)(b & 0x7fu) << shift; /* bits above 64 drop, as upstream */
		if (!(b & 0x80u))
			break;
		shift += 7;
		if (shift >= 64)
			return -2;
	}
	*out = v;
	return 0;
}

/* Mark [s, e) accepted: split the unaccepted ranges it overlaps, keep the
 * rest, append it, and keep the list stably sorted by start. */
static void accept(mem_map *m, uint64_t s, uint64_t e)
{
	if (s >= e)
		return;
	mem_map n;
	n.n = 0;
	for (size_t i = 0; i < m->n; i++) {
		mem_range r = m->r[i];
		if (r.accepted || !(r.start < e && s < r.end)) {
			n.r[n.n++] = r;
			continue;
		}
		if (r.start < s)
			n.r[n.n++] = (mem_range){ r.start, s, 0 };
		if (r.end > e)
			n.r[n.n++] = (mem_range){ e, r.end, 0 };
	}
	n.r[n.n++] = (mem_range){ s, e, 1 };
	for (size_t i = 1; i < n.n; i++) { /* insertion sort: stable */
		mem_range x = n.r[i];
		size_t j = i;
		for (; j > 0 && n.r[j - 1].start > x.start; j--)
			n.r[j] = n.r[j - 1];
		n.r[j] = x;
	}
	*m = n;
}

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static void resource_hob(uint8_t *p, uint32_t type, uint64_t start, uint64_t len)
{
	memset(p, 0, 48);
	le16(p, 0x0003);      /* EFI_HOB_TYPE_RESOURCE_DESCRIPTOR */
	le16(p + 2, 48);
	le32(p + 24, type);
	le32(p + 28, 7);      /* present | initialized | tested */
	le64(p + 32, start);
	le64(p + 40, len);
}

static cv_err overflow(cv_diag *d, const char *what)
{
	return cv_fail(d, CV_OS_MANIFEST_INVALID, "The manifest's TD HOB witness overflows 64 bits in %s.", what);
}

cv_err cv_td_hob_build(const uint8_t *witness, size_t witness_len, uint64_t memory_size,
	uint8_t *out, size_t cap, size_t *out_len, cv_diag *d)
{
	size_t pos = 0;
	uint64_t base_page, hob_delta, count;
	int rc;
	if ((rc = read_varint(witness, witness_len, &pos, &base_page)) != 0 ||
	    (rc = read_varint(witness, witness_len, &pos, &hob_delta)) != 0 ||
	    (rc = read_varint(witness, witness_len, &pos, &count)) != 0)
		goto bad_varint;
	if (count > CV_TDHOB_MAX_RANGES)
		return cv_fail(d, CV_OS_MANIFEST_INVALID,
			"The manifest's TD HOB witness lists %U memory ranges; at most %u are supported.", count,
			(unsigned)CV_TDHOB_MAX_RANGES);
	uint64_t hob_page;
	if (__builtin_add_overflow(base_page, hob_delta, &hob_page) || hob_page > UINT64_MAX / PAGE)
		return overflow(d, "the TD HOB address");
	uint64_t hob_base = hob_page * PAGE;

	mem_map m;
	m.n = 1;
	m.r[0] = (mem_range){ 0, memory_size, 0 };
	for (uint64_t i = 0; i < count; i++) {
		uint64_t delta, pages, page, start, len, end;
		if ((rc = read_varint(witness, witness_len, &pos, &delta)) != 0 ||
		    (rc = read_varint(witness, witness_len, &pos, &pages)) != 0)
			goto bad_varint;
		if (__builtin_add_overflow(base_page, delta, &page) || page > UINT64_MAX / PAGE ||
		    pages > UINT64_MAX / PAGE)
			return overflow(d, "a memory range");
		start = page * PAGE;
		len = pages * PAGE;
		if (__builtin_add_overflow(start, len, &end))
			return overflow(d, "a memory range");
		accept(&m, start, end);
	}
	if (pos != witness_len)
		return cv_fail(d, CV_OS_MANIFEST_INVALID, "The manifest's TD HOB witness has %U bytes left over.",
			(uint64_t)(witness_len - pos));

	/* The last range is re-emitted by QEMU's layout: below 2 GiB, and above 4 GiB for the rest. */
	mem_range last = m.r[--m.n];
	mem_range tail[2];
	size_t ntail = 0;
	if (memory_size >= CV_TDHOB_HIGH_MEM) {
		if (last.start < 0x80000000ull)
			tail[ntail++] = (mem_range){ last.start, 0x80000000ull, 0 };
		if (last.end > 0x80000000ull)
			tail[ntail++] = (mem_range){ 0x100000000ull, 0x100000000ull + (last.end - 0x80000000ull), 0 };
		if (ntail && tail[ntail - 1].end < tail[ntail - 1].start)
			return overflow(d, "the high memory range");
	} else {
		tail[ntail++] = (mem_range){ last.start, last.end, 0 };
	}
	size_t nhobs = m.n + ntail;
	size_t total = 56 + 48 * nhobs;
	if (total > cap)
		return cv_fail(d, CV_INTERNAL, "The TD HOB needs %U bytes; the buffer holds %U.", (uint64_t)total,
			(uint64_t)cap);
	uint64_t end_of_list;
	if (__builtin_add_overflow(hob_base, (uint64_t)total + 8, &end_of_list))
		return overflow(d, "the end of the HOB list");

	memset(out, 0, 56);
	le16(out, 0x0001); /* EFI_HOB_TYPE_HANDOFF (PHIT) */
	le16(out + 2, 56);
	le32(out + 8, 9);  /* PHIT version */
	le64(out + 48, end_of_list);
	uint8_t *p = out + 56;
	for (size_t i = 0; i < m.n; i++, p += 48)
		resource_hob(p, m.r[i].accepted ? RES_SYSTEM_MEMORY : RES_UNACCEPTED, m.r[i].start,
			m.r[i].end - m.r[i].start);
	for (size_t i = 0; i < ntail; i++, p += 48)
		resource_hob(p, RES_UNACCEPTED, tail[i].start, tail[i].end - tail[i].start);
	*out_len = total;
	return CV_OK;

bad_varint:
	return cv_fail(d, CV_OS_MANIFEST_INVALID, rc == -1 ? "The manifest's TD HOB witness ends inside a number."
		: "The manifest's TD HOB witness holds a number longer than 64 bits.");
}
