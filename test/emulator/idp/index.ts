import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';

export function registerIdp(_app: FastifyInstance, _ctx: EmulatorContext): void {}
