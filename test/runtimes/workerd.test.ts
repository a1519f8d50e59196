import { conformanceSuite } from './conformance.ts';
import { workerd } from './launchers.ts';

conformanceSuite(workerd);
