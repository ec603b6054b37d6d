import { describeThreadDeath } from './support/thread-death';

describeThreadDeath('projection', 'the projection thread');
