import { describeThreadDeath } from './support/thread-death';

describeThreadDeath('writer', 'the SQLite writer thread');
