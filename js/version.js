// The package version, as a constant so that browsers (which cannot read package.json) know it too.
// Keep it equal to package.json "version"; tests/js/unit.test.mjs checks that they match.
export const VERSION = '0.1.0';
