#!/usr/bin/env node
/** hire-snn command line: thin wrappers over the library, one file per command. */
import { Command } from 'commander';
import { registerInfo } from './info.js';
import { registerData } from './data.js';
import { registerInspect } from './inspect.js';
import { registerEval } from './eval.js';
import { registerTrain } from './train.js';
import { registerBench } from './bench.js';
import { registerExport } from './export.js';
import { registerReport } from './report.js';
import { registerSweep } from './sweep.js';
import { registerExplore } from './explore.js';
import { runCli } from './run.js';

const program = new Command();
program
  .name('hire-snn')
  .description('Train and evaluate adversarially robust spiking neural networks (HIRE-SNN)')
  .showHelpAfterError();

registerInfo(program);
registerData(program);
registerEval(program);
registerExport(program);
registerTrain(program);
registerInspect(program);
registerBench(program);
registerReport(program);
registerSweep(program);
registerExplore(program);

await runCli(program, process.argv);
