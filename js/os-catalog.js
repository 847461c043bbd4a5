// The OS image catalog (issue 14): dstack OS images keyed by os_image_hash = sha256(sha256sum.txt).
// Pure data, handed by the shim to the core (request member "os_catalog_entry") when its key equals
// an os_image_hash at hand. Each manifest authenticates itself by its key, so shipping one adds
// availability, not trust; name, version and dev are this package's curated knowledge, and an entry
// lists only what its "source" supports. dev: true = development image (fails unless allowed),
// false = production release (passes), null = not known (a verified image warns OS_IMAGE_UNLISTED).
// To add an image: its os_image_hash, name, version, dev, where it was published, the source of each
// fact, and its manifest (base64 sha256sum.txt and measurement.tdx.cbor) when known.
// tests/js/os-catalog.test.mjs and tests/c/test_os_image.c check every entry.
export const OS_CATALOG = {
  "format": "cvm-verify/os-catalog/v1",
  "images": [
    {
      "os_image_hash": "e6f5cfec20c02e7b97baa213d0f718020b55e040172d90ccbcb946d56c8b09db",
      "name": "dstack",
      "version": "0.6.0",
      "dev": null,
      "published": "not shown to be a published release: built by dstack's local end-to-end stack (e2e/run.sh --image dstack-0.6.0)",
      "source": "Dstack-TEE/dstack@312dc605 dstack/verifier/fixtures/tdx-lite-getquote.json (vm_config: os_image_hash, image dstack-0.6.0, tdx_measurement) and tdx-lite.README.md",
      "manifest": {
        "checksum_file": "OGM5ZTk1NWYwYjU3N2NjODk0NWE4OTFhMzRjY2ZhNWI4ZTA4YmI1ZTVkMjQ5OTkyNjAzZTY0ZGQxNDg3MGUzYyAgbWVhc3VyZW1lbnQudGR4LmNib3IK",
        "measurement": "o2d2ZXJzaW9uA2VpbWFnZaNuY21kbGluZV9zaGEzODRYMHhigIQrc2Qoejpw2W9+MJJShXvrRfsfkTFKLqhj2wrcBMhDHsvympZkBWBGMaWquHNrZXJuZWxfYXV0aGVudGljb2RlWDCsfmMtz1zSof5cH0H02bghlXDmTtPGEDj9vyVATm9UL/1X8na8UHYwfvr4gubWQXdtaW5pdHJkX3NoYTM4NFgwT+T3cQE0ph197zV63WrFC9v+7lAypMEAN14gchb/5Co71YIrJOZ5+RUB//eVuBUhZHRkdmajZG92bWZpcHJlMjAyNTA1ZG1ydGSia3NpbmdsZV9wYXNzWDCm8qyUUYEGhqTbJZ/o+lQ43EpYvan9L1sfsJKDNXBVANKaFckjh0FqL1Ld3Omcg/hodHdvX3Bhc3NYMP1oVSLOeR3+9nQUYU6wfQP8B6MsWmbzYoizKdq5K3JLFWTHPUNv+56oRIjFGsWhxWZ0ZF9ob2JMgBAJBAAGCQILAhAQ"
      }
    }
  ]
};
