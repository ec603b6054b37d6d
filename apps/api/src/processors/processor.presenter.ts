import { DEFAULT_SIMULATOR, Processor, ProcessorSettings, ProcessorSettingsPatch, SimulatorBehaviour } from '@payments/domain';
import { CreateProcessorDto, UpdateProcessorDto } from './processor.dto';

export function presentProcessor(processor: Processor, connectionOrder: number) {
  return {
    id: processor.id,
    object: 'processor' as const,
    name: processor.name,
    connector: processor.connector,
    supported_currencies: processor.supported_currencies,
    supported_networks: processor.supported_networks,
    fees: processor.fees,
    status: processor.status,
    timeout_ms: processor.timeout_ms,
    simulator: processor.simulator,
    // The signing secret is write-only.
    http: processor.http && { url: processor.http.url },
    connection_order: connectionOrder,
    created_at: processor.createdAt,
    updated_at: processor.updatedAt,
  };
}

/** API defaults (API.md "Processors") applied to a new processor's settings. */
export function settingsFromCreate(dto: CreateProcessorDto): ProcessorSettings {
  return {
    name: dto.name,
    supported_currencies: dto.supported_currencies ?? [],
    supported_networks: dto.supported_networks ?? [],
    fees: dto.fees ?? { percent: 0, fixed: 0 },
    status: dto.status ?? 'active',
    timeout_ms: dto.timeout_ms ?? 5000,
    simulator: dto.connector === 'simulator' || dto.simulator ? simulatorSettings(dto.simulator) : null,
    http: dto.http ? { url: dto.http.url, secret: dto.http.secret } : null,
  };
}

export function settingsPatch(dto: UpdateProcessorDto): ProcessorSettingsPatch {
  const { http, fees, ...rest } = dto;
  return {
    ...rest,
    ...(fees && { fees: { percent: fees.percent, fixed: fees.fixed } }),
    ...(http && { http: { url: http.url, secret: http.secret } }),
  };
}

function simulatorSettings(dto: Partial<SimulatorBehaviour> | undefined): SimulatorBehaviour {
  return { ...DEFAULT_SIMULATOR, ...Object.fromEntries(Object.entries(dto ?? {}).filter(([, v]) => v !== undefined)) };
}
