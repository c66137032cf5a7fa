/** Locating files shipped with the repository (examples). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The repository root: the nearest directory above `from` that has `examples/`.
 * @throws Error when there is none (e.g. the CLI was installed outside the repo)
 */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'examples', 'workflows')) && fs.existsSync(path.join(dir, 'examples', 'datasets'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Cannot find the examples/ directory above ${from}`);
    dir = up;
  }
}

/** The bundled example dataset and workflow of `weft demo`. */
export function demoFiles(root: string = findRepoRoot()): { data: string; workflow: string } {
  return {
    data: path.join(root, 'examples', 'datasets', 'breast_cancer.csv'),
    workflow: path.join(root, 'examples', 'workflows', 'breast_cancer.json'),
  };
}
