import { prospectIndexContract } from '@signup/test-support/prospect-index-contract';
import { InMemoryProspectIndex } from '../../../src/memory/in-memory-prospect-index.js';

prospectIndexContract('InMemoryProspectIndex', () => Promise.resolve({
  store: new InMemoryProspectIndex(),
  close: () => Promise.resolve(),
}));
