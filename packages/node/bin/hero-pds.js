#!/usr/bin/env node
import "../dist/hero-pds.mjs"
