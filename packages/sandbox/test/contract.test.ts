import * as HeroClient from "@hero-pds/core/HeroClient"
import * as HeroConfig from "@hero-pds/core/HeroConfig"
import * as Layer from "effect/Layer"
import { contract } from "../../core/test/contract.js"
import * as Sandbox from "../src/Sandbox.js"
import * as SandboxHttpClient from "../src/SandboxHttpClient.js"

contract("in-memory sandbox", ({ config, faults = [] }) =>
  HeroClient.layer.pipe(
    Layer.provide(Layer.effect(
      HeroConfig.HeroConfig,
      HeroConfig.make({ environment: "sandbox", ...config }, undefined, Sandbox.heroConfigDefaults)
    )),
    Layer.provide(SandboxHttpClient.layer({ faults: { script: faults } }))
  ))
