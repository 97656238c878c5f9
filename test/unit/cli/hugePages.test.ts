/** When the CLI starts itself again with huge pages (src/cli/hugePages.ts): only where that can change something. */
import { describe, expect, it } from 'vitest';
import { HUGE_PAGES_ENV, hugePageEnv, type HugePageFacts } from '../../../src/cli/hugePages';

const linux: HugePageFacts = { platform: 'linux', glibc: '2.36', thp: 'always [madvise] never', env: { PATH: '/usr/bin' } };

describe('hugePageEnv', () => {
  it('adds the tunable on Linux with glibc >= 2.35 and THP in madvise mode, and marks the child', () => {
    expect(hugePageEnv(linux)).toEqual({ PATH: '/usr/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1', [HUGE_PAGES_ENV]: '0' });
    expect(hugePageEnv({ ...linux, glibc: '2.35' })?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
    expect(hugePageEnv({ ...linux, glibc: '3.0' })?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
  });

  it('keeps the tunables the user set, after them', () => {
    const env = hugePageEnv({ ...linux, env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' } });
    expect(env?.GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it('starts nothing where it cannot help: other systems, no glibc or an older one, THP always or never or unknown', () => {
    expect(hugePageEnv({ ...linux, platform: 'darwin' })).toBeNull();
    expect(hugePageEnv({ ...linux, platform: 'win32' })).toBeNull();
    expect(hugePageEnv({ ...linux, glibc: undefined })).toBeNull(); // musl
    expect(hugePageEnv({ ...linux, glibc: '2.34' })).toBeNull();
    expect(hugePageEnv({ ...linux, glibc: '1.99' })).toBeNull();
    expect(hugePageEnv({ ...linux, glibc: 'unknown' })).toBeNull();
    expect(hugePageEnv({ ...linux, thp: '[always] madvise never' })).toBeNull();
    expect(hugePageEnv({ ...linux, thp: 'always madvise [never]' })).toBeNull();
    expect(hugePageEnv({ ...linux, thp: undefined })).toBeNull();
  });

  it('leaves a user\'s own hugetlb choice alone, and is turned off by OVERLAP_DENSITY_HUGE_PAGES=0 (or false, no, off)', () => {
    expect(hugePageEnv({ ...linux, env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' } })).toBeNull();
    expect(hugePageEnv({ ...linux, env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2' } })).toBeNull();
    for (const off of ['0', 'false', 'NO', ' off ']) expect(hugePageEnv({ ...linux, env: { [HUGE_PAGES_ENV]: off } })).toBeNull();
    // the child carries 0, so it never starts a third process
    const child = hugePageEnv(linux)!;
    expect(hugePageEnv({ ...linux, env: child })).toBeNull();
    expect(hugePageEnv({ ...linux, env: { [HUGE_PAGES_ENV]: '1' } })?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
  });
});
