import { conformanceSuite } from './conformance.ts';
import { deno } from './launchers.ts';

conformanceSuite(deno);
