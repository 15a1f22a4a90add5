/**
 * scripts/check-import-cycles.mjs, the cycle check of `npm run lint`: it finds every cycle in a
 * folder, whatever kind of import closes it, names it as a path, and passes a folder without
 * one. The fixtures are hand-made folders whose cycles are known.
 */
import { spawnSync } from 'node:child_process';

const FIXTURES = 'test/fixtures/import-cycles';

function check(folder: string): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    ['scripts/check-import-cycles.mjs', folder],
    { encoding: 'utf8' },
  );
  return { status, stdout, stderr };
}

describe('check-import-cycles', () => {
  test('a folder with cycles fails, naming each cycle as a path around it', () => {
    // GIVEN a folder with a value cycle, a type-only cycle through a subfolder, a cycle through
    // a dynamic import, a three-file cycle, a self-import, and a file that only imports into one
    // WHEN checked
    const { status, stderr } = check(`${FIXTURES}/cyclic`);
    // THEN it fails and names exactly those cycles, each once
    expect(status).toBe(1);
    const at = (f: string) => `${FIXTURES}/cyclic/${f}`;
    const lines = stderr.trim().split('\n').sort();
    expect(lines).toEqual(
      [
        `import cycle among 2 files: ${at('a.ts')} -> ${at('b.ts')} -> ${at('a.ts')}`,
        `import cycle among 2 files: ${at('lazy.ts')} -> ${at('loader.ts')} -> ${at('lazy.ts')}`,
        `import cycle among 2 files: ${at('nested/shape.ts')} -> ${at('types.ts')} -> ${at('nested/shape.ts')}`,
        `import cycle among 3 files: ${at('c.ts')} -> ${at('d.ts')} -> ${at('e.ts')} -> ${at('c.ts')}`,
        `import cycle among 1 file: ${at('self.ts')} -> ${at('self.ts')}`,
      ].sort(),
    );
    expect(stderr).not.toContain('leaf.ts');
  });

  test('a folder without a cycle passes, though files share imports (a diamond)', () => {
    // GIVEN index -> left, right -> shared (right imports shared twice, once for a type)
    // WHEN checked
    const { status, stdout, stderr } = check(`${FIXTURES}/acyclic`);
    // THEN it passes and says how many files it read
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/no import cycle in .*acyclic .*\(4 files\)/);
  });
});
