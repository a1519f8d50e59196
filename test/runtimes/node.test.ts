import { conformanceSuite } from './conformance.ts';
import { node } from './launchers.ts';

conformanceSuite(node);
