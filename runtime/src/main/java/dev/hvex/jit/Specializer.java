package dev.hvex.jit;

import static dev.hvex.gen.OperandCodes.*;
import static org.objectweb.asm.Opcodes.*;

import dev.hvex.decode.DecodedInstruction;
import dev.hvex.gen.Families;
import dev.hvex.gen.Forms;
import dev.hvex.interp.ArithFlags;
import dev.hvex.interp.Engine;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits a hidden class per hot instruction whose family has an emitter here (MOV, MOVNTI, MOVZX/MOVSX,
 * the ALU group, TEST, INC/DEC, NOT/NEG, SETcc): register numbers, operand sizes, segment, the
 * effective-address arithmetic, immediates, the ALU operation and the written-flags mask become
 * constants in straight-line bytecode that calls the same semantic helpers as the interpreter
 * ({@code Arith.aluResult}, {@code ArithFlags.add} ...) and the same engine accessors. In 64-bit mode,
 * MOV, MOVNTI, ALU and TEST with a memory operand, and IN/OUT, also get a {@code runFast} (see
 * {@link Handler#runFast}); for IN/OUT that is all that is emitted. Other families get
 * {@link InterpretingHandler}: decode and register gathering are still skipped for them.
 *
 * <p>For {@code mov dword [rdi+8], eax} in 64-bit mode the emitted {@code run} is, as Java:
 * <pre>{@code
 * public void run(Engine e) {
 *     long v = e.readGpr(0, 4);
 *     long ea = 8L + e.gpr(7);
 *     e.writeMemory(3, ea, 4, v);
 * }
 * }</pre>
 * Set {@code -Dhvex.jit.dump=DIR} to write every emitted class to DIR for {@code javap -c}.
 */
public final class Specializer {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final String ENGINE = "dev/hvex/interp/Engine";
    private static final String HANDLER = "dev/hvex/jit/Handler";
    private static final String ARITH = "dev/hvex/semantics/Arith";
    private static final String FLAGS = "dev/hvex/interp/ArithFlags";
    private static final String SEMANTICS = "dev/hvex/semantics/Semantics";
    private static final String DECODED = "dev/hvex/decode/DecodedInstruction";
    private static final String DUMP = System.getProperty("hvex.jit.dump");

    // Local variable slots of run(Engine): 0 this, 1 engine, then longs.
    private static final int E = 1;
    private static final int EA = 2;
    private static final int A = 4;
    private static final int B = 6;
    private static final int R = 8;
    private static final int C = 10;

    private static final java.util.concurrent.atomic.LongAdder REJECTED = new java.util.concurrent.atomic.LongAdder();

    private Specializer() {
    }

    /** Emitted classes the JVM refused (should stay 0). */
    public static long rejectedClasses() {
        return REJECTED.sum();
    }

    /** Whether {@code d}'s family has a bytecode emitter. */
    static boolean emits(DecodedInstruction d) {
        switch (d.family) {
            case Families.MOV: case Families.MOVNTI: case Families.MOVX: case Families.ALU: case Families.TEST:
            case Families.INCDEC: case Families.NOTNEG: case Families.SETCC:
                break;
            case Families.IO:
                // Only a fast path is emitted for IN/OUT; elsewhere the interpreting handler serves as well.
                if (!fastPort(d)) {
                    return false;
                }
                break;
            default:
                return false;
        }
        for (int i = 0; i < Forms.MAX_OPERANDS; i++) {
            int code = Forms.operand(d.form, i);
            if (code != 0 && !emitsOperand(d, code)) {
                return false;
            }
        }
        return true;
    }

    private static boolean emitsOperand(DecodedInstruction d, int code) {
        switch (method(code)) {
            case M_E: case M_M: case M_R: case M_G: case M_Z: case M_I: case M_O:
            case M_AL: case M_AX: case M_EAX: case M_RAX: case M_CL: case M_DX: case M_ONE:
                return Engine.sizeOfOperand(d, code) <= 8;
            default:
                return false;
        }
    }

    /** The memory operand's index when {@code d} can have a fast path, else -1. */
    static int fastMemoryOperand(DecodedInstruction d) {
        if (d.mode != dev.hvex.CpuMode.LONG64 || !d.hasModrmMemory()) {
            return -1;
        }
        switch (d.family) {
            case Families.MOV: case Families.MOVNTI: case Families.ALU: case Families.TEST: break;
            default: return -1;
        }
        int memory = -1;
        for (int i = 0; i < 2; i++) {
            int code = Forms.operand(d.form, i);
            int m = method(code);
            if (m == M_E || m == M_M) {
                memory = i;
            } else if (m == M_O || m == M_X || m == M_Y) {
                return -1;
            }
        }
        return memory >= 0 && Engine.sizeOfOperand(d, Forms.operand(d.form, memory)) <= 8 ? memory : -1;
    }

    /** Whether {@code d} is an IN or OUT that can have a fast path (64-bit mode: no virtual-8086 mode). */
    static boolean fastPort(DecodedInstruction d) {
        return d.mode == dev.hvex.CpuMode.LONG64 && d.family == Families.IO;
    }

    static boolean fastEligible(DecodedInstruction d) {
        return fastMemoryOperand(d) >= 0 || fastPort(d);
    }

    static Handler specialize(Profile p) {
        DecodedInstruction d = p.decoded;
        if (!emits(d)) {
            return InterpretingHandler.INSTANCE;
        }
        String name = "dev/hvex/jit/H$" + Forms.name(d.form) + "$" + d.mode.label();
        byte[] bytes = emit(d, name, p.gprMask, p.segMask, p.names.length);
        if (DUMP != null) {
            dump(name, bytes);
        }
        try {
            Class<?> c = LOOKUP.defineHiddenClass(bytes, true).lookupClass();
            return (Handler) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            // A class that does not verify is a specializer bug; the interpreter stays correct, and the
            // counter makes the bug visible to tests.
            REJECTED.increment();
            return InterpretingHandler.INSTANCE;
        }
    }

    static byte[] emit(DecodedInstruction d, String name) {
        return emit(d, name, -1, 0, 0);
    }

    /**
     * The class bytes of {@code d}'s handler; with a register mask ({@code gprMask >= 0}) and an eligible
     * instruction, with a fast path that gets the profile's {@code registerCount} registers.
     */
    static byte[] emit(DecodedInstruction d, String name, int gprMask, int segMask, int registerCount) {
        boolean fast = gprMask >= 0 && fastEligible(d);
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(V17, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, name, null, HANDLER, null);
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        init.visitInsn(fast ? ICONST_1 : ICONST_0);
        init.visitMethodInsn(INVOKESPECIAL, HANDLER, "<init>", "(Z)V", false);
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "run", "(L" + ENGINE + ";)V", null, null);
        mv.visitCode();
        new Body(mv, d).emit();
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        if (fast) {
            MethodVisitor mvFast = cw.visitMethod(ACC_PUBLIC, "runFast", "(L" + ENGINE + ";)Z", null, null);
            mvFast.visitCode();
            Body body = new Body(mvFast, d);
            body.batchGprMask = gprMask;
            body.batchSegMask = segMask;
            body.emitFast(registerCount);
            mvFast.visitMaxs(0, 0);
            mvFast.visitEnd();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** The emitter of one run() body. */
    private static final class Body {
        final MethodVisitor mv;
        final DecodedInstruction d;
        boolean eaReady;
        /** In runFast, registers come from the get batch (index by the profile's order), not the cache. */
        int batchGprMask = -1;
        int batchSegMask;

        Body(MethodVisitor mv, DecodedInstruction d) {
            this.mv = mv;
            this.d = d;
        }

        void emit() {
            int dst = Forms.operand(d.form, 0);
            int src = Forms.operand(d.form, 1);
            switch (d.family) {
                case Families.MOV:
                case Families.MOVNTI:
                    read(src, Engine.READ, A);
                    write(dst, A);
                    break;
                case Families.MOVX:
                    read(src, Engine.READ, A);
                    if (d.op == Families.MOVX_SX) {
                        mv.visitVarInsn(LLOAD, A);
                        push(Engine.sizeOfOperand(d, src));
                        mv.visitMethodInsn(INVOKESTATIC, FLAGS, "signExtend", "(JI)J", false);
                        mv.visitVarInsn(LSTORE, A);
                    }
                    write(dst, A);
                    break;
                case Families.ALU: {
                    int size = Engine.sizeOfOperand(d, dst);
                    read(dst, d.op == Families.ALU_CMP ? Engine.READ : Engine.RMW, A);
                    truncate(A, size);
                    read(src, Engine.READ, B);
                    truncate(B, size);
                    if (aluResult(size)) {
                        write(dst, R);
                    }
                    aluFlags(size);
                    break;
                }
                case Families.TEST:
                    read(dst, Engine.READ, A);
                    read(src, Engine.READ, B);
                    testFlags(Engine.sizeOfOperand(d, dst));
                    break;
                case Families.INCDEC: {
                    int size = Engine.sizeOfOperand(d, dst);
                    read(dst, Engine.RMW, A);
                    push(d.op);
                    mv.visitVarInsn(LLOAD, A);
                    mv.visitMethodInsn(INVOKESTATIC, ARITH, "incdecResult", "(IJ)J", false);
                    mv.visitVarInsn(LSTORE, R);
                    truncate(R, size);
                    write(dst, R);
                    mv.visitVarInsn(ALOAD, E);
                    push(d.op);
                    mv.visitVarInsn(LLOAD, A);
                    push(size);
                    mv.visitMethodInsn(INVOKESTATIC, ARITH, "incdecFlags", "(IJI)I", false);
                    push(Forms.flagsWritten(d.form));
                    mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "setFlags", "(II)V", false);
                    break;
                }
                case Families.NOTNEG: {
                    int size = Engine.sizeOfOperand(d, dst);
                    read(dst, Engine.RMW, A);
                    truncate(A, size);
                    push(d.op);
                    mv.visitVarInsn(LLOAD, A);
                    mv.visitMethodInsn(INVOKESTATIC, ARITH, "notnegResult", "(IJ)J", false);
                    mv.visitVarInsn(LSTORE, R);
                    truncate(R, size);
                    write(dst, R);
                    if (d.op == Families.NOTNEG_NEG) {
                        mv.visitVarInsn(ALOAD, E);
                        mv.visitLdcInsn(0L);
                        mv.visitVarInsn(LLOAD, A);
                        mv.visitLdcInsn(0L);
                        push(size);
                        mv.visitMethodInsn(INVOKESTATIC, FLAGS, "sub", "(JJJI)I", false);
                        push(Forms.flagsWritten(d.form));
                        mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "setFlags", "(II)V", false);
                    }
                    break;
                }
                case Families.IO:
                    // The general path of IN/OUT is the interpreter's (only the fast path is emitted).
                    mv.visitVarInsn(ALOAD, E);
                    mv.visitVarInsn(ALOAD, E);
                    mv.visitFieldInsn(GETFIELD, ENGINE, "insn", "L" + DECODED + ";");
                    mv.visitMethodInsn(INVOKESTATIC, SEMANTICS, "execute", "(L" + ENGINE + ";L" + DECODED + ";)V", false);
                    break;
                case Families.SETCC:
                    mv.visitVarInsn(ALOAD, E);
                    push(Forms.cond(d.form));
                    mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "conditionBit", "(I)J", false);
                    mv.visitVarInsn(LSTORE, A);
                    write(dst, A);
                    break;
                default:
                    throw new IllegalStateException("no emitter for " + Forms.name(d.form));
            }
        }

        /**
         * runFast: gets the registers, then runs the instruction with its one memory operand through the
         * engine's fast 64-bit accessors, returning false (before any device access) when they decline.
         */
        void emitFast(int registerCount) {
            if (registerCount > 0) {
                mv.visitVarInsn(ALOAD, E);
                push(registerCount);
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "fastGet", "(I)V", false);
            }
            if (d.family == Families.IO) {
                emitFastPort();
                return;
            }
            int memory = fastMemoryOperand(d);
            int memCode = Forms.operand(d.form, memory);
            int otherCode = Forms.operand(d.form, 1 - memory);
            int size = Engine.sizeOfOperand(d, memCode);
            effectiveAddress();
            int seg = Engine.modrmSegment(d);
            if (seg >= DecodedInstruction.FS) {
                // FS/GS base: the low long of the segment's batch entry, after the GPRs
                mv.visitVarInsn(LLOAD, EA);
                mv.visitVarInsn(ALOAD, E);
                push(Integer.bitCount(batchGprMask) + Integer.bitCount(batchSegMask & ((1 << seg) - 1)));
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "batchLow", "(I)J", false);
                mv.visitInsn(LADD);
                mv.visitVarInsn(LSTORE, EA);
            }
            org.objectweb.asm.Label declined = new org.objectweb.asm.Label();
            boolean store = memory == 0 && (d.family == Families.MOV || d.family == Families.MOVNTI);
            if (store) {
                read(otherCode, Engine.READ, A);
                mv.visitVarInsn(ALOAD, E);
                mv.visitVarInsn(LLOAD, EA);
                push(size);
                mv.visitVarInsn(LLOAD, A);
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "fastStore64", "(JIJ)Z", false);
                mv.visitInsn(IRETURN);
                return;
            }
            boolean rmw = memory == 0 && d.family == Families.ALU && d.op != Families.ALU_CMP;
            mv.visitVarInsn(ALOAD, E);
            mv.visitVarInsn(LLOAD, EA);
            push(size);
            push(rmw ? Engine.RMW : Engine.READ);
            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "fastLoad64", "(JII)Z", false);
            mv.visitJumpInsn(IFEQ, declined);
            mv.visitVarInsn(ALOAD, E);
            mv.visitFieldInsn(GETFIELD, ENGINE, "fastValue", "J");
            mv.visitVarInsn(LSTORE, memory == 0 ? A : B);
            switch (d.family) {
                case Families.MOV:
                    write(Forms.operand(d.form, 0), B);
                    break;
                case Families.TEST:
                    read(otherCode, Engine.READ, memory == 0 ? B : A);
                    testFlags(size);
                    break;
                default: { // ALU
                    int aluSize = Engine.sizeOfOperand(d, Forms.operand(d.form, 0));
                    if (memory == 1) {
                        read(Forms.operand(d.form, 0), Engine.READ, A);
                    } else {
                        read(otherCode, Engine.READ, B);
                    }
                    truncate(A, aluSize);
                    truncate(B, aluSize);
                    if (aluResult(aluSize)) {
                        if (memory == 0) {
                            mv.visitVarInsn(ALOAD, E);
                            push(aluSize);
                            mv.visitVarInsn(LLOAD, R);
                            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "fastWriteBack", "(IJ)V", false);
                        } else {
                            write(Forms.operand(d.form, 0), R);
                        }
                    }
                    aluFlags(aluSize);
                    break;
                }
            }
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IRETURN);
            mv.visitLabel(declined);
            mv.visitInsn(ICONST_0);
            mv.visitInsn(IRETURN);
        }

        /**
         * runFast of IN/OUT: A = the port (DX or the immediate), then, if the engine allows the access
         * (I/O permission, the exit's port, size and direction), the port callback with AL/AX/EAX.
         */
        void emitFastPort() {
            boolean in = d.op == Families.IO_IN;
            int portCode = Forms.operand(d.form, in ? 1 : 0);
            int dataCode = Forms.operand(d.form, in ? 0 : 1);
            int size = Engine.sizeOfOperand(d, dataCode);
            org.objectweb.asm.Label declined = new org.objectweb.asm.Label();
            read(portCode, Engine.READ, A);
            mv.visitVarInsn(ALOAD, E);
            mv.visitVarInsn(LLOAD, A);
            mv.visitInsn(L2I);
            push(size);
            push(in ? 0 : 1);
            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "fastPortOk", "(IIZ)Z", false);
            mv.visitJumpInsn(IFEQ, declined);
            if (in) {
                mv.visitVarInsn(ALOAD, E);
                mv.visitVarInsn(LLOAD, A);
                mv.visitInsn(L2I);
                push(size);
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "portRead", "(II)J", false);
                mv.visitVarInsn(LSTORE, B);
                write(dataCode, B);
            } else {
                read(dataCode, Engine.READ, B);
                mv.visitVarInsn(ALOAD, E);
                mv.visitVarInsn(LLOAD, A);
                mv.visitInsn(L2I);
                push(size);
                mv.visitVarInsn(LLOAD, B);
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "portWrite", "(IIJ)V", false);
            }
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IRETURN);
            mv.visitLabel(declined);
            mv.visitInsn(ICONST_0);
            mv.visitInsn(IRETURN);
        }

        /**
         * C = CF for ADC/SBB (else 0); unless the operation is CMP, R = aluResult(op, A, B, C) cut to size.
         * Returns whether R holds a result to write.
         */
        boolean aluResult(int size) {
            if (d.op == Families.ALU_ADC || d.op == Families.ALU_SBB) {
                mv.visitVarInsn(ALOAD, E);
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "carry", "()J", false);
            } else {
                mv.visitLdcInsn(0L);
            }
            mv.visitVarInsn(LSTORE, C);
            if (d.op == Families.ALU_CMP) {
                return false;
            }
            push(d.op);
            mv.visitVarInsn(LLOAD, A);
            mv.visitVarInsn(LLOAD, B);
            mv.visitVarInsn(LLOAD, C);
            mv.visitMethodInsn(INVOKESTATIC, ARITH, "aluResult", "(IJJJ)J", false);
            mv.visitVarInsn(LSTORE, R);
            truncate(R, size);
            return true;
        }

        /** e.setFlags(Arith.aluFlags(op, A, B, C, size), written). */
        void aluFlags(int size) {
            mv.visitVarInsn(ALOAD, E);
            push(d.op);
            mv.visitVarInsn(LLOAD, A);
            mv.visitVarInsn(LLOAD, B);
            mv.visitVarInsn(LLOAD, C);
            push(size);
            mv.visitMethodInsn(INVOKESTATIC, ARITH, "aluFlags", "(IJJJI)I", false);
            push(Forms.flagsWritten(d.form));
            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "setFlags", "(II)V", false);
        }

        /** e.setFlags(ArithFlags.logic(A & B & mask(size), size), written): TEST. */
        void testFlags(int size) {
            mv.visitVarInsn(ALOAD, E);
            mv.visitVarInsn(LLOAD, A);
            mv.visitVarInsn(LLOAD, B);
            mv.visitInsn(LAND);
            mv.visitLdcInsn(ArithFlags.mask(size));
            mv.visitInsn(LAND);
            push(size);
            mv.visitMethodInsn(INVOKESTATIC, FLAGS, "logic", "(JI)I", false);
            push(Forms.flagsWritten(d.form));
            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "setFlags", "(II)V", false);
        }

        /** local = local & mask(size). */
        void truncate(int local, int size) {
            if (size < 8) {
                mv.visitVarInsn(LLOAD, local);
                mv.visitLdcInsn(ArithFlags.mask(size));
                mv.visitInsn(LAND);
                mv.visitVarInsn(LSTORE, local);
            }
        }

        /** Stores the effective address in EA, once per instruction (as Engine.effectiveAddress does). */
        void effectiveAddress() {
            if (eaReady) {
                return;
            }
            mv.visitLdcInsn(d.disp);
            if (d.base == DecodedInstruction.RIP) {
                mv.visitVarInsn(ALOAD, E);
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "nextRip", "()J", false);
                mv.visitInsn(LADD);
            } else if (d.base >= 0) {
                gpr(d.base);
                mv.visitInsn(LADD);
            }
            if (d.index >= 0) {
                gpr(d.index);
                if (d.scale != 0) {
                    push(d.scale);
                    mv.visitInsn(LSHL);
                }
                mv.visitInsn(LADD);
            }
            if (d.addressSize < 8) {
                mv.visitLdcInsn(ArithFlags.mask(d.addressSize));
                mv.visitInsn(LAND);
            }
            mv.visitVarInsn(LSTORE, EA);
            eaReady = true;
        }

        void gpr(int n) {
            mv.visitVarInsn(ALOAD, E);
            if (batchGprMask >= 0) {
                push(Integer.bitCount(batchGprMask & ((1 << n) - 1)));
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "batchLow", "(I)J", false);
                return;
            }
            push(n);
            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "gpr", "(I)J", false);
        }

        /** Whether GPR n at this size is AH..BH (bits 15:8 of register n - 4). */
        boolean highByte(int n, int size) {
            return size == 1 && d.rex == 0 && d.vexKind == 0 && n >= 4 && n < 8;
        }

        /** Reads operand {@code code} into long local {@code into}. */
        void read(int code, int kind, int into) {
            int size = Engine.sizeOfOperand(d, code);
            switch (method(code)) {
                case M_E: case M_M: case M_R:
                    if (d.mod == 3) {
                        readGpr(d.rm, size);
                    } else {
                        effectiveAddress();
                        mv.visitVarInsn(ALOAD, E);
                        push(Engine.modrmSegment(d));
                        mv.visitVarInsn(LLOAD, EA);
                        push(size);
                        push(kind);
                        mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "readMemory", "(IJII)J", false);
                    }
                    break;
                case M_G: readGpr(d.reg, size); break;
                case M_Z: readGpr((d.opcode & 7) | (d.rm & 8), size); break;
                case M_I: mv.visitLdcInsn(Engine.immediate(d, code)); break;
                case M_O:
                    mv.visitVarInsn(ALOAD, E);
                    push(Engine.dataSegment(d));
                    mv.visitLdcInsn(d.imm);
                    push(size);
                    push(kind);
                    mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "readMemory", "(IJII)J", false);
                    break;
                case M_AL: case M_AX: case M_EAX: case M_RAX: readGpr(0, size); break;
                case M_CL: readGpr(1, 1); break;
                case M_DX: readGpr(2, 2); break;
                case M_ONE: mv.visitLdcInsn(1L); break;
                default: throw new IllegalStateException("operand " + token(code));
            }
            mv.visitVarInsn(LSTORE, into);
        }

        void readGpr(int n, int size) {
            if (batchGprMask >= 0) {
                if (highByte(n, size)) {
                    gpr(n - 4);
                    push(8);
                    mv.visitInsn(LUSHR);
                } else {
                    gpr(n);
                }
                if (size < 8) {
                    mv.visitLdcInsn(ArithFlags.mask(size));
                    mv.visitInsn(LAND);
                }
                return;
            }
            mv.visitVarInsn(ALOAD, E);
            push(n);
            push(size);
            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "readGpr", "(II)J", false);
        }

        /** Writes long local {@code from} to operand {@code code}. */
        void write(int code, int from) {
            int size = Engine.sizeOfOperand(d, code);
            mv.visitVarInsn(ALOAD, E);
            switch (method(code)) {
                case M_E: case M_M: case M_R:
                    if (d.mod == 3) {
                        writeGpr(d.rm, size, from);
                        return;
                    }
                    effectiveAddress();
                    push(Engine.modrmSegment(d));
                    mv.visitVarInsn(LLOAD, EA);
                    push(size);
                    mv.visitVarInsn(LLOAD, from);
                    mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "writeMemory", "(IJIJ)V", false);
                    return;
                case M_G: writeGpr(d.reg, size, from); return;
                case M_Z: writeGpr((d.opcode & 7) | (d.rm & 8), size, from); return;
                case M_O:
                    push(Engine.dataSegment(d));
                    mv.visitLdcInsn(d.imm);
                    push(size);
                    mv.visitVarInsn(LLOAD, from);
                    mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "writeMemory", "(IJIJ)V", false);
                    return;
                case M_AL: case M_AX: case M_EAX: case M_RAX: writeGpr(0, size, from); return;
                default: throw new IllegalStateException("operand " + token(code));
            }
        }

        /** Engine already on the stack. */
        void writeGpr(int n, int size, int from) {
            if (batchGprMask >= 0) {
                // e.setGpr(home, merged): 32/64-bit writes replace, 8/16-bit writes merge into the batch value
                int home = highByte(n, size) ? n - 4 : n;
                push(home);
                if (size == 8) {
                    mv.visitVarInsn(LLOAD, from);
                } else if (size == 4) {
                    mv.visitVarInsn(LLOAD, from);
                    mv.visitLdcInsn(0xffffffffL);
                    mv.visitInsn(LAND);
                } else {
                    long field = highByte(n, size) ? 0xff00L : ArithFlags.mask(size);
                    gpr(home);
                    mv.visitLdcInsn(~field);
                    mv.visitInsn(LAND);
                    mv.visitVarInsn(LLOAD, from);
                    if (highByte(n, size)) {
                        push(8);
                        mv.visitInsn(LSHL);
                    }
                    mv.visitLdcInsn(field);
                    mv.visitInsn(LAND);
                    mv.visitInsn(LOR);
                }
                mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "setGpr", "(IJ)V", false);
                return;
            }
            push(n);
            push(size);
            mv.visitVarInsn(LLOAD, from);
            mv.visitMethodInsn(INVOKEVIRTUAL, ENGINE, "writeGpr", "(IIJ)V", false);
        }

        void push(int v) {
            if (v >= -1 && v <= 5) {
                mv.visitInsn(ICONST_0 + v);
            } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
                mv.visitIntInsn(BIPUSH, v);
            } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                mv.visitIntInsn(SIPUSH, v);
            } else {
                mv.visitLdcInsn(v);
            }
        }
    }

    private static void dump(String name, byte[] bytes) {
        try {
            Path p = Path.of(DUMP, name.replace('/', '.') + ".class");
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
        } catch (IOException e) {
            // dumping is a debugging aid; never fail an emulation over it
        }
    }
}
