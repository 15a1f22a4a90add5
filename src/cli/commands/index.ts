/**
 * Every subcommand registers itself here; one file per subcommand.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerDescribe } from './describe.js';
import { registerInspect } from './inspect.js';
import { registerMint } from './mint.js';
import { registerLint } from './lint.js';
import { registerCanI } from './can-i.js';
import { registerWhoCan } from './who-can.js';
import { registerRevoke } from './revoke.js';
import { registerLegacy } from './legacy.js';

/** Sets the process's exit code without exiting. */
export type SetExitCode = (code: number) => void;

/** Adds all subcommands to the program. */
export function registerCommands(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  registerMint(program, io, setExitCode);
  registerInspect(program, io, setExitCode);
  registerLint(program, io, setExitCode);
  registerCanI(program, io, setExitCode);
  registerWhoCan(program, io, setExitCode);
  registerRevoke(program, io, setExitCode);
  registerDescribe(program, io, setExitCode);
  registerLegacy(program, io, setExitCode);
}
