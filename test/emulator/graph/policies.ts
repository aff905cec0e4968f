import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';

export function registerPolicies(_app: FastifyInstance, _ctx: EmulatorContext): void {}
