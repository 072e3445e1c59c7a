// One trial in a single child run (kills.test.ts: a kill of the main process or the process group).
import { linkedTrial } from './trial.js'

linkedTrial()
